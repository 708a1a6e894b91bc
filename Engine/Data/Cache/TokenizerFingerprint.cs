using System.Security.Cryptography;
using System.Text;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Data;

/// <summary>
/// A short hash identifying what a tokenizer would produce: its vocabulary, special ids, chat template, and the
/// encoding of a mixed-language probe (which changes when the merges do). A tokenized cache records it and is rebuilt
/// when the tokenizer changes.
/// </summary>
public static class TokenizerFingerprint
{
    const string Probe = "MiniMind 训练 a tiny model: 12+34=46. <think>思考</think><answer>答案</answer>\n\t  naïve café 🙂 東京";

    public static string Of(ByteLevelBpeTokenizer tokenizer)
    {
        var text = new StringBuilder();
        text.Append(tokenizer.VocabSize).Append('\n');
        for (var id = 0; id < tokenizer.VocabSize; id++)
        {
            string token;
            try
            {
                token = tokenizer.IdToToken(id);
            }
            catch (ArgumentException)
            {
                token = "\u0000hole";
            }
            text.Append(token).Append('\u0001');
        }
        text.Append('\n').Append(tokenizer.BosId).Append(',').Append(tokenizer.EosId).Append(',').Append(tokenizer.PadId).Append('\n');
        text.Append(tokenizer.ChatTemplate).Append('\n');
        text.AppendJoin(',', tokenizer.Encode(Probe));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
