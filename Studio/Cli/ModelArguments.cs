using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Studio.Cli;

/// <summary>The --model / --config / --ids options shared by the model verbs, and their loading.</summary>
public sealed class ModelArguments
{
    public readonly Option<FileInfo> Model = new("--model")
    {
        Description = "Weights: a studio checkpoint (.safetensors with its .json sidecar) or a seed-layout .safetensors with --config",
        Required = true,
    };

    public readonly Option<FileInfo?> Config = new("--config")
    {
        Description = "LMConfig JSON (the original MiniMind field names); not needed for a studio checkpoint",
    };

    public readonly Option<string> Ids = new("--ids")
    {
        Description = "Rows of token ids as a JSON array, inline (e.g. '[[1, 85, 736], [1, 320, 275]]') or a file holding one (forward: rows of equal length)",
        Required = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Config);
        command.Options.Add(Ids);
    }

    public MiniMindModel LoadModel(ParseResult parse, Device device)
    {
        var configFile = parse.GetValue(Config);
        var config = configFile is null ? null : MiniMindConfig.Load(configFile.FullName);
        return ModelCheckpoint.Load(parse.GetValue(Model)!.FullName, config, device);
    }

    /// <summary>
    /// Reads --ids, inline JSON (it starts with '[') or a file: a non-empty array of non-empty rows of ids inside the
    /// vocabulary (of equal length when asked). Errors name the file, or --ids for inline JSON.
    /// </summary>
    public long[][] LoadIds(ParseResult parse, int vocabSize, bool equalLength)
    {
        var value = parse.GetValue(Ids)!;
        var inline = value.TrimStart().StartsWith('[');
        var path = inline ? "--ids" : Path.GetFullPath(value);
        if (!inline && !File.Exists(path)) throw new FileNotFoundException($"Ids file not found: {path} (--ids takes a file or inline JSON such as [[1, 85, 736]])", path);
        long[][]? rows;
        try
        {
            rows = JsonSerializer.Deserialize<long[][]>(inline ? value : File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: expected a JSON array of rows of token ids ({e.Message}).", e);
        }
        if (rows is null || rows.Length == 0 || rows.Any(r => r is null))
            throw new InvalidDataException($"{path}: expected a non-empty JSON array of rows of token ids.");
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length == 0) throw new InvalidDataException($"{path}: row {r + 1} is empty.");
            if (equalLength && rows[r].Length != rows[0].Length)
                throw new InvalidDataException($"{path}: row {r + 1} has {rows[r].Length} ids but row 1 has {rows[0].Length}; rows must have equal length.");
            foreach (var id in rows[r])
                if (id < 0 || id >= vocabSize)
                    throw new InvalidDataException($"{path}: row {r + 1} holds id {id}, outside the vocabulary (0 .. {vocabSize - 1}).");
        }
        return rows;
    }
}
