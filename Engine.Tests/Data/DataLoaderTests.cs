using System.Text.Json;
using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>The loader: seeded order, exact resume from a cursor, padded and packed pretraining, skipped records and its token cache.</summary>
public sealed class DataLoaderTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    string Pretrain(int documents, string name = "pre.jsonl") =>
        data.Write(name, Enumerable.Range(0, documents).Select(i => JsonSerializer.Serialize(new { text = $"Document {i}: " + string.Join(" ", Enumerable.Repeat($"w{i}", i % 7 + 1)) })).ToArray());

    static List<(TokenBatch Batch, LoaderCursor Next)> Take(DataLoader loader, int count) => loader.Batches().Take(count).ToList();

    [Fact]
    public void SameSeed_GivesTheSameBatches_AndAnotherSeedAnotherOrder()
    {
        var path = Pretrain(40);
        using var a = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 7);
        using var b = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 7);
        using var c = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 8);

        var first = Take(a, 12).SelectMany(x => x.Batch.Inputs).ToArray();

        Assert.Equal(first, Take(b, 12).SelectMany(x => x.Batch.Inputs).ToArray());
        Assert.NotEqual(first, Take(c, 12).SelectMany(x => x.Batch.Inputs).ToArray());
    }

    [Fact]
    public void ResumedLoader_ContinuesExactlyWhereTheCursorPoints_AcrossEpochs()
    {
        var path = Pretrain(30);
        using var whole = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 3);
        var run = Take(whole, 20); // 8 batches per epoch: crosses two epoch boundaries
        var cursor = JsonSerializer.Deserialize<LoaderCursor>(JsonSerializer.Serialize(run[9].Next))!;

        using var resumed = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 3, resumeFrom: cursor);
        var rest = Take(resumed, 10);

        Assert.Equal(8, whole.BatchesPerEpoch);
        Assert.Equal(new LoaderCursor(1, 2, 3), cursor);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(run[10 + i].Batch.Inputs, rest[i].Batch.Inputs);
            Assert.Equal(run[10 + i].Batch.LossMask, rest[i].Batch.LossMask);
            Assert.Equal(run[10 + i].Next, rest[i].Next);
        }
    }

    [Fact]
    public void PaddedBatches_AreTrimmedToTheirLastTarget_WithoutChangingAnyTarget()
    {
        var path = data.Write("trim.jsonl", JsonSerializer.Serialize(new { text = "short" }), JsonSerializer.Serialize(new { text = "a bit longer text" }));
        using var trimmed = DataLoader.Open(path, TempData.SeedTokenizer, new DataLoaderOptions { Kind = DatasetKind.Pretrain, MaxSeqLen = 64, BatchSize = 2, Shuffle = false });
        using var full = DataLoader.Open(path, TempData.SeedTokenizer, new DataLoaderOptions { Kind = DatasetKind.Pretrain, MaxSeqLen = 64, BatchSize = 2, Shuffle = false, TrimPadding = false });

        var a = trimmed.Batch(0, 0, 0);
        var b = full.Batch(0, 0, 0);

        int longest = TempData.SeedTokenizer.Encode("a bit longer text").Length + 1; // bos + text predicts text + eos
        Assert.Equal((63, longest), (b.Length, a.Length));
        Assert.Equal(b.UsefulTokens, a.UsefulTokens);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(b.Inputs.AsSpan(r * 63, longest).ToArray(), a.Inputs.AsSpan(r * longest, longest).ToArray());
            Assert.Equal(b.LossMask.AsSpan(r * 63, longest).ToArray(), a.LossMask.AsSpan(r * longest, longest).ToArray());
        }
    }

    [Fact]
    public void EachEpoch_VisitsEveryDocumentOnce_InADifferentOrder()
    {
        var path = Pretrain(10);
        using var loader = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 64, 3, seed: 1);
        var batches = Take(loader, 8); // 4 batches per epoch, the last with one row

        // a row's targets without trailing padding (batches are trimmed to their last target, which varies by batch)
        long pad = TempData.SeedTokenizer.PadId!.Value;
        List<string> Firsts(IEnumerable<(TokenBatch Batch, LoaderCursor Next)> epoch) =>
            epoch.SelectMany(x => Enumerable.Range(0, x.Batch.Rows).Select(r =>
                string.Join(",", x.Batch.Targets.AsSpan(r * x.Batch.Length, x.Batch.Length).ToArray().Reverse().SkipWhile(t => t == pad).Reverse()))).ToList();
        var epoch0 = Firsts(batches.Take(4));
        var epoch1 = Firsts(batches.Skip(4));

        Assert.Equal(new[] { 3, 3, 3, 1 }, batches.Take(4).Select(x => x.Batch.Rows));
        Assert.Equal(10, epoch0.Distinct().Count());
        Assert.Equal(epoch0.Order(StringComparer.Ordinal), epoch1.Order(StringComparer.Ordinal));
        Assert.NotEqual(epoch0, epoch1);
    }

    [Fact]
    public void PaddedPretrain_IsBosTextEos_WithPadsMaskedAndLongTextsKeepingTheirEos()
    {
        var tokenizer = TempData.SeedTokenizer;
        var path = data.Write("p.jsonl", JsonSerializer.Serialize(new { text = "short" }), JsonSerializer.Serialize(new { text = string.Join(" ", Enumerable.Repeat("long text", 40)) }));
        using var loader = DataLoader.Open(path, tokenizer, new DataLoaderOptions { Kind = DatasetKind.Pretrain, MaxSeqLen = 16, BatchSize = 2, Shuffle = false });

        var batch = loader.Batch(0, 0, 0);
        var text = tokenizer.Encode("short");
        var row0 = batch.Inputs.AsSpan(0, 15).ToArray();
        var row1 = batch.Targets.AsSpan(15, 15).ToArray();

        Assert.Equal(new long[] { tokenizer.BosId!.Value }.Concat(text.Select(t => (long)t)).Append(tokenizer.EosId!.Value), row0.Take(text.Length + 2));
        Assert.All(row0.Skip(text.Length + 2), t => Assert.Equal(tokenizer.PadId!.Value, t));
        Assert.Equal(text.Length + 1, batch.LossMask.AsSpan(0, 15).ToArray().Count(m => m == 1f));
        Assert.Equal(tokenizer.EosId!.Value, row1[^1]);
        Assert.All(batch.LossMask.AsSpan(15, 15).ToArray(), m => Assert.Equal(1f, m));
        Assert.Equal(text.Length + 1 + 15, batch.UsefulTokens);
    }

    [Fact]
    public void PackedPretrain_CoversTheWholeTokenStreamOnce_WithoutPaddingBeforeTheLastRow()
    {
        var tokenizer = TempData.SeedTokenizer;
        var path = Pretrain(25);
        var stream = File.ReadLines(path).SelectMany(l => new[] { tokenizer.BosId!.Value }
            .Concat(tokenizer.Encode(JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!)).Append(tokenizer.EosId!.Value)).ToArray();
        using var loader = DataLoader.Open(path, tokenizer, new DataLoaderOptions { Kind = DatasetKind.Pretrain, MaxSeqLen = 32, BatchSize = 4, Packed = true, Shuffle = false });

        var targets = new List<long>();
        var inputs = new List<long>();
        for (var b = 0; b < loader.BatchesPerEpoch; b++)
        {
            var batch = loader.Batch(0, b, 0);
            for (var i = 0; i < batch.Targets.Length; i++)
            {
                if (batch.LossMask[i] == 0) continue;
                targets.Add(batch.Targets[i]);
                inputs.Add(batch.Inputs[i]);
            }
            if (b < loader.BatchesPerEpoch - 1) Assert.Equal(batch.Rows * batch.Length, batch.UsefulTokens);
        }

        Assert.Equal(stream.Skip(1).Select(t => (long)t), targets);
        Assert.Equal(stream.SkipLast(1).Select(t => (long)t), inputs);
    }

    [Fact]
    public void BadRecords_AreSkippedAndCounted_OrRefusedWhenAsked()
    {
        var path = data.Write("mixed.jsonl", "{\"text\": \"good one\"}", "{\"text\": ", "", "{\"text\": 5}", "{\"text\": \"good two\"}");

        using var loader = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 16, 2, seed: 0);
        var error = Assert.Throws<InvalidDataException>(() => DataLoader.Open(path, TempData.SeedTokenizer,
            new DataLoaderOptions { Kind = DatasetKind.Pretrain, MaxSeqLen = 16, BatchSize = 2, MaxBadRecords = 1 }));

        Assert.Equal(new DataStats(5, 2, 1, 2, loader.Skipped.FirstProblems), loader.Skipped);
        Assert.Equal(new long[] { 2, 4 }, loader.Skipped.FirstProblems.Select(p => p.Line));
        Assert.Equal(2, loader.Examples);
        Assert.Contains("mixed.jsonl:2: $: malformed JSON", error.Message);
    }

    [Fact]
    public void TokenCache_IsReused_AndRebuiltWhenTheFileOrTheTokenizerChanges()
    {
        var path = Pretrain(5);
        using (var first = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 16, 2, seed: 0)) Assert.False(first.FromCache);
        using (var again = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 16, 2, seed: 0)) Assert.True(again.FromCache);

        File.AppendAllText(path, "{\"text\": \"one more\"}\n");
        using (var changed = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 16, 2, seed: 0))
        {
            Assert.False(changed.FromCache);
            Assert.Equal(6, changed.Examples);
        }

        var otherTokenizer = Path.Combine(data.Dir, "tok");
        Directory.CreateDirectory(otherTokenizer);
        var json = File.ReadAllText(Fixture.Path("seed-tokenizer", "tokenizer.json"));
        File.WriteAllText(Path.Combine(otherTokenizer, "tokenizer.json"), json);
        File.WriteAllText(Path.Combine(otherTokenizer, "tokenizer_config.json"),
            File.ReadAllText(Fixture.Path("seed-tokenizer", "tokenizer_config.json")).Replace("你是 MiniMind", "你是 OtherMind"));
        using var retokenized = DataLoader.Open(path, DatasetKind.Pretrain, MiniMind.Engine.Tokenization.ByteLevelBpeTokenizer.Load(otherTokenizer), 16, 2, seed: 0);
        Assert.False(retokenized.FromCache);
    }

    [Fact]
    public void EmptyFile_IsAClearError()
    {
        var path = data.Write("empty.jsonl", "");

        var error = Assert.Throws<InvalidDataException>(() => DataLoader.Open(path, DatasetKind.Sft, TempData.SeedTokenizer, 16, 2, seed: 0));

        Assert.Contains("no usable Sft records", error.Message);
    }
    [Fact]
    public void SftWhoseEveryAnswerLiesBeyondMaxSeqLen_FailsBeforeTraining_NamingTheLengthItNeeds()
    {
        var conversation = """{"conversations": [{"role": "user", "content": "Where does Alice Brant live, and what is her job?"}, {"role": "assistant", "content": "Mossford."}]}""";
        var path = data.Write("long_prompts.jsonl", conversation + "\n" + conversation.Replace("Alice Brant", "Bo") + "\n");

        var error = Assert.Throws<InvalidDataException>(() => DataLoader.Open(path, DatasetKind.Sft, TempData.SeedTokenizer, 8, 2, seed: 0));

        Assert.Contains("no record has a trained token within max_seq_len 8", error.Message);
        var need = int.Parse(System.Text.RegularExpressions.Regex.Match(error.Message, @"2 record\(s\) are cut before their first answer token \(the shortest needs max_seq_len (\d+)\)").Groups[1].Value);
        using var enough = DataLoader.Open(path, DatasetKind.Sft, TempData.SeedTokenizer, need, 2, seed: 0); // the length it names trains
        Assert.True(enough.Batch(0, 0, 0).UsefulTokens > 0);
        Assert.Throws<InvalidDataException>(() => DataLoader.Open(path, DatasetKind.Sft, TempData.SeedTokenizer, need - 1, 2, seed: 0));
    }
}
