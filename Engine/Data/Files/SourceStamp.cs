namespace MiniMind.Engine.Data;

/// <summary>Size and last-write time of a data file: a cache built from it is valid only while both are unchanged.</summary>
public readonly record struct SourceStamp(long Length, long LastWriteTicks)
{
    public static SourceStamp Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        return new SourceStamp(info.Length, info.LastWriteTimeUtc.Ticks);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Length);
        writer.Write(LastWriteTicks);
    }

    public static SourceStamp Read(BinaryReader reader) => new(reader.ReadInt64(), reader.ReadInt64());
}
