using MiniMind.Engine.Data;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Training;

/// <summary>Fixed batches in a fixed order, epoch after epoch, resumable from a cursor: training data for loop tests.</summary>
public sealed class InMemoryData(IReadOnlyList<TokenBatch> batches, LoaderCursor? resumeFrom = null) : ITrainingData
{
    public long BatchesPerEpoch => batches.Count;

    public IEnumerable<(TokenBatch Batch, LoaderCursor Next)> Batches(CancellationToken cancellationToken = default)
    {
        int epoch = resumeFrom?.Epoch ?? 0;
        long index = resumeFrom?.BatchInEpoch ?? 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (index == batches.Count) { epoch++; index = 0; }
            var batch = batches[(int)index++];
            yield return (batch, new LoaderCursor(epoch, index, 0));
        }
    }

    /// <summary>Random token batches (full loss masks) from a seeded generator.</summary>
    public static List<TokenBatch> Random(int count, int rows, int length, int vocab, int seed)
    {
        var random = new System.Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var ids = Enumerable.Range(0, rows * (length + 1)).Select(_ => (long)random.Next(vocab)).ToArray();
            var inputs = new long[rows * length];
            var targets = new long[rows * length];
            for (int r = 0; r < rows; r++)
            {
                Array.Copy(ids, r * (length + 1), inputs, r * length, length);
                Array.Copy(ids, r * (length + 1) + 1, targets, r * length, length);
            }
            return new TokenBatch(inputs, targets, Enumerable.Repeat(1f, rows * length).ToArray(), rows, length);
        }).ToList();
    }
}
