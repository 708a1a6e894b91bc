using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.IO;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop;

/// <summary>Damaged or mismatched sources fail with the file and the problem named, and leave nothing written.</summary>
public sealed class MalformedInputTests : IDisposable
{
    readonly InteropTestFiles files = new();

    public void Dispose() => files.Dispose();

    string Output => files.PathOf("out.safetensors");

    InvalidDataException ImportFails(string source, ImportOptions? options = null)
    {
        var e = Assert.Throws<InvalidDataException>(() => CheckpointImporter.Import(source, Output, options ?? new ImportOptions { Config = Fixture.TinyDenseConfig() }));
        Assert.False(File.Exists(Output));
        Assert.False(File.Exists(ModelCheckpoint.SidecarPath(Output)));
        Assert.DoesNotContain(files.Listing(), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        return e;
    }

    string SeedPth()
    {
        var path = files.PathOf("seed.pth");
        var table = new System.Collections.Hashtable();
        foreach (var (k, t) in SafetensorsFile.Read(Fixture.Path("tiny-dense", "weights.safetensors"))) table[k] = t;
        PyTorchPickler.PickleStateDict(path, table);
        return path;
    }

    [Fact]
    public void TruncatedPth_NamesTheFileAndSaysTruncated()
    {
        var cut = files.Truncated(SeedPth(), 0.6, "cut.pth");

        var e = ImportFails(cut);

        Assert.Contains(cut, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedSafetensors_NamesTheTensorThatRunsPastTheEnd()
    {
        var cut = files.Truncated(Fixture.Path("tiny-dense", "weights.safetensors"), 0.5, "cut.safetensors");

        var e = ImportFails(cut);

        Assert.Contains(cut, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("tensor ", e.Message);
    }

    [Fact]
    public void HeaderCutShort_IsReported()
    {
        var cut = files.Truncated(Fixture.Path("tiny-dense", "weights.safetensors"), 0.0005, "stub.safetensors");

        var e = ImportFails(cut);

        Assert.Contains(cut, e.Message);
    }

    [Fact]
    public void NotAWeightsFile_IsReported()
    {
        var text = files.PathOf("notes.pth");
        File.WriteAllText(text, "just some text, not weights at all");

        var e = ImportFails(text);

        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void WrongShape_NamesTheTensorAndBothShapes()
    {
        var state = SafetensorsFile.Read(Fixture.Path("tiny-dense", "weights.safetensors"));
        state["layers.1.feed_forward.w3.weight"] = zeros(128, 64);
        var path = files.PathOf("wrong.safetensors");
        SafetensorsFile.Write(path, state.ToList());

        var e = ImportFails(path);

        Assert.Contains("layers.1.feed_forward.w3.weight", e.Message);
        Assert.Contains("[128, 64]", e.Message);
        Assert.Contains("[192, 64]", e.Message);
    }

    [Fact]
    public void MissingAndUnknownTensors_AreListed()
    {
        var state = SafetensorsFile.Read(Fixture.Path("tiny-dense", "weights.safetensors"));
        state.Remove("layers.0.attention.wv.weight");
        state["layers.0.attention.extra.weight"] = zeros(2, 2);
        var path = files.PathOf("odd.safetensors");
        SafetensorsFile.Write(path, state.ToList());

        var e = ImportFails(path);

        Assert.Contains("missing layers.0.attention.wv.weight", e.Message);
        Assert.Contains("unexpected layers.0.attention.extra.weight", e.Message);
    }

    [Fact]
    public void TransformersTensorWithoutCounterpart_IsNamed()
    {
        var state = new Dictionary<string, Tensor> { ["model.embed_tokens.weight"] = zeros(6400, 64), ["model.layers.0.self_attn.sinks.weight"] = ones(16) };
        var path = files.PathOf("newest.safetensors");
        SafetensorsFile.Write(path, state.ToList());

        var e = ImportFails(path);

        Assert.Contains("model.layers.0.self_attn.sinks.weight", e.Message);
    }

    [Fact]
    public void UntiedHead_IsRefused()
    {
        var state = SafetensorsFile.Read(Fixture.Path("tiny-dense", "weights.safetensors"));
        state["output.weight"] = state["output.weight"] + 1;
        var path = files.PathOf("untied.safetensors");
        SafetensorsFile.Write(path, state.ToList());

        var e = ImportFails(path);

        Assert.Contains("differs from the token embedding", e.Message);
    }

    [Fact]
    public void QProjectionOfTheWrongHeadCount_NamesTheTransformersTensor()
    {
        var state = new Dictionary<string, Tensor>
        {
            ["model.embed_tokens.weight"] = zeros(6400, 64),
            ["model.layers.0.self_attn.q_proj.weight"] = zeros(48, 64),
        };
        var path = files.PathOf("q.safetensors");
        SafetensorsFile.Write(path, state.ToList());

        var e = ImportFails(path);

        Assert.Contains("model.layers.0.self_attn.q_proj.weight", e.Message);
        Assert.Contains("[48, 64]", e.Message);
        Assert.Contains("[64, 64]", e.Message);
    }
}
