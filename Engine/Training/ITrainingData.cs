using MiniMind.Engine.Data;

namespace MiniMind.Engine.Training;

/// <summary>What the training loop reads: batches forever (epoch after epoch), each with the cursor after it.</summary>
public interface ITrainingData
{
    long BatchesPerEpoch { get; }

    IEnumerable<(TokenBatch Batch, LoaderCursor Next)> Batches(CancellationToken cancellationToken = default);
}
