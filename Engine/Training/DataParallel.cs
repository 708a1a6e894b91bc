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

    /// <summary>Adds every replica's gradients into the master's and clears the replicas'.</summary>
    public void ReduceGradients(IReadOnlyList<Parameter> master)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var replica in replicas)
        {
            for (int i = 0; i < master.Count; i++)
            {
                var grad = replica.Trainable[i].grad;
                if (grad is null) continue;
                if (master[i].grad is null) master[i].grad = grad.to(master[i].device).clone();
                else master[i].grad!.add_(grad.to(master[i].device));
                grad.zero_();
            }
        }
    }

    /// <summary>Copies the master's trainable weights into every replica.</summary>
    public void Broadcast(IReadOnlyList<Parameter> master)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var replica in replicas)
            for (int i = 0; i < master.Count; i++)
                replica.Trainable[i].copy_(master[i]);
    }

    public void Dispose()
    {
        foreach (var r in replicas)
        {
            r.Objective.Dispose();
            r.Model.Dispose();
        }
    }
}
