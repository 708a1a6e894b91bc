using System.Text;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// The GPT-2 byte-to-unicode table used by HF <c>tokenizers</c>' ByteLevel pre-tokenizer and decoder
/// (<c>bytes_char()</c>): printable Latin-1 bytes map to themselves, the other 68 bytes map to
/// U+0100.. in byte order, so every byte sequence becomes a printable, whitespace-free string.
/// </summary>
public static class ByteLevelAlphabet
{
    static readonly char[] ByteToChar = BuildByteToChar();
    static readonly short[] CharToByte = BuildCharToByte();

    /// <summary>The 256 alphabet characters, indexed by byte value.</summary>
    public static ReadOnlySpan<char> Chars => ByteToChar;

    /// <summary>The alphabet character standing for <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>
    /// Decodes one token the way HF's ByteLevel decoder does: if every char belongs to the alphabet the
    /// token stands for those bytes, otherwise (e.g. a special token containing a space or CJK) its
    /// plain UTF-8 bytes are used.
    /// </summary>
    public static byte[] DecodeToken(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            int b = c < CharToByte.Length ? CharToByte[c] : -1;
            if (b < 0)
            {
                return Encoding.UTF8.GetBytes(token);
            }
            bytes[i] = (byte)b;
        }
        return bytes;
    }

    static char[] BuildByteToChar()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    static short[] BuildCharToByte()
    {
        var table = new short[256 + 68];
        Array.Fill(table, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            table[ByteToChar[b]] = (short)b;
        }
        return table;
    }
}
