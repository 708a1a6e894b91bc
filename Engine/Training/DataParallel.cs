using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>A copy of the model on another device, with its own objective (a DPO reference or a teacher lives beside it).</summary>
public sealed record Replica(MiniMindModel Model, IReadOnlyList<Parameter> Trainable, IObjective Objective, Device Device);

/// <summary>
/// Data parallelism inside one process (a replica per local GPU): each micro-batch is split by rows across
/// the master model and the replicas, every part runs forward and backward on its own device with its loss
/// weighted by its share of the batch (target tokens; pairs for DPO), the replicas' gradients are summed into
/// the master's, the master steps, and its weights are copied back out: the same update as one model on the
/// whole batch.
/// </summary>
public sealed class DataParallel(IReadOnlyList<Replica> replicas) : IDisposable
{
    public IReadOnlyList<Replica> Replicas => replicas;

    /// <summary>The master and its replicas: how many parts a batch is split into.</summary>
    public int Parts => replicas.Count + 1;

    /// <summary>
    /// Splits a batch's rows into <paramref name="parts"/> contiguous parts (fewer when there are fewer rows).
    /// Paired batches (DPO: chosen rows, then the rejected rows in the same order) are split by pair, each part
    /// keeping its chosen rows first and their rejected rows after.
    /// </summary>
    public static IReadOnlyList<TokenBatch> Split(TokenBatch batch, int parts, bool paired)
    {
        int units = paired ? batch.Rows / 2 : batch.Rows;
        if (paired && batch.Rows % 2 != 0) throw new ArgumentException($"A paired batch needs an even row count; got {batch.Rows}.");
        parts = Math.Max(1, Math.Min(parts, units));
        var result = new List<TokenBatch>(parts);
        for (int p = 0; p < parts; p++)
        {
            int from = units * p / parts, to = units * (p + 1) / parts;
            var rows = paired
                ? Enumerable.Range(from, to - from).Concat(Enumerable.Range(units + from, to - from)).ToArray()
                : Enumerable.Range(from, to - from).ToArray();
            result.Add(Rows(batch, rows));
        }
        return result;
    }

    static TokenBatch Rows(TokenBatch batch, int[] rows)
    {
        int n = batch.Length;
        var inputs = new long[rows.Length * n];
        var targets = new long[rows.Length * n];
        var mask = new float[rows.Length * n];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(batch.Inputs, rows[i] * n, inputs, i * n, n);
            Array.Copy(batch.Targets, rows[i] * n, targets, i * n, n);
            Array.Copy(batch.LossMask, rows[i] * n, mask, i * n, n);
        }
        return new TokenBatch(inputs, targets, mask, rows.Length, n);
    }

    FlatParameters[]? flats; // the replicas' trainable parameters, flattened like the master's on first use

    FlatParameters[] Flats(FlatParameters master)
    {
        if (flats is null)
        {
            flats = replicas.Select(r => new FlatParameters(r.Trainable, master.WorkingType)).ToArray();
            for (int i = 0; i < replicas.Count; i++)
            {
                if (!flats[i].SameLayout(master)) throw new InvalidOperationException("A replica's trainable parameters differ from the master's.");
                if (flats[i].WorkingViews is { } views) replicas[i].Model.UseWorkingWeights(replicas[i].Trainable, views);
            }
        }
        else if (flats[0].Count != master.Count)
            throw new InvalidOperationException("These replicas were flattened for another master."); // the shapes were checked when they were
        return flats;
    }

    /// <summary>Adds every replica's gradients into the master's (one add per replica over the flat buffers) and clears the replicas'.</summary>
    public void ReduceGradients(FlatParameters master)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sum = master.GatherGradients();
        foreach (var flat in Flats(master))
        {
            sum.add_(flat.GatherGradients().to(sum.device));
            flat.ZeroGrad();
        }
    }

    /// <summary>Copies the master's trainable weights into every replica (one copy per replica).</summary>
    public void Broadcast(FlatParameters master)
    {
        using var noGrad = no_grad();
        foreach (var flat in Flats(master))
        {
            flat.Data.copy_(master.Data);
            flat.RefreshWork();
        }
    }

    public void Dispose()
    {
        foreach (var flat in flats ?? []) flat.Dispose();
        foreach (var r in replicas)
        {
            r.Objective.Dispose();
            r.Model.Dispose();
        }
    }
}
