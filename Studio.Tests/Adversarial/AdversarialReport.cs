using System.Text.Json;

namespace MiniMind.Studio.Tests.Adversarial;

/// <summary>
/// The adversarial suite's figures: each part writes how many cases it tried, how many the studio survived (a clear
/// answer, nothing crashed) and how many lost data, to <c>artifacts/adversarial/&lt;part&gt;.json</c> beside the test
/// assembly, before it asserts, so a failing run still leaves its figures. <c>tools/adversarial.sh</c> runs the suite and
/// prints them; docs/reliability.md records a run.
/// </summary>
public static class AdversarialReport
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "adversarial");

    public sealed record Part(string Name, int Tried, int Survived, int LostData, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, double>? Figures = null);

    /// <summary>Writes the part's figures and fails the test when a case was not survived or lost data.</summary>
    public static void WriteAndAssert(Part part)
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, part.Name + ".json"), JsonSerializer.Serialize(part, new JsonSerializerOptions { WriteIndented = true }));
        var figures = string.Concat((part.Figures ?? new Dictionary<string, double>()).Select(f => $", {f.Key} {f.Value}"));
        File.WriteAllText(Path.Combine(Folder, part.Name + ".txt"), $"{part.Name}: tried {part.Tried}, survived {part.Survived}, lost data {part.LostData}{figures}\n");
        Assert.True(part.Failures.Count == 0 && part.Survived == part.Tried && part.LostData == 0,
            $"{part.Name}: {part.Survived}/{part.Tried} survived, {part.LostData} lost data:\n{string.Join("\n", part.Failures.Take(20))}");
    }
}
