using static MiniMind.Engine.Data.Demo.DemoWorld;

namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// The reinforcement-learning demo's questions: phrasings no other demo file uses, with the short answer a reward can check
/// (a town, a job, a pet, a food, a sum). Chosen among phrasings the demo SFT model often misreads (it answers
/// "In what town is X living?" with the job, "X and Y make how many?" with a refusal), so there is something to learn. A third of the people, towns and sums are held out for
/// evaluation (<c>eval_grpo.jsonl</c>); the rest are GRPO's prompts (<c>grpo_demo.jsonl</c>): the same kinds of question about
/// other facts, so the benchmark measures whether the model learned to answer these phrasings, not these facts.
/// </summary>
static class DemoRlPrompts
{
    public sealed record Prompt(string Question, string Answer, bool HeldOut);

    public static IEnumerable<Prompt> All()
    {
        for (var i = 0; i < People.Length; i++)
        {
            var p = People[i];
            var heldOut = i % 3 == 2;
            string n = p.Name.En;
            yield return new($"In what town is {n} living?", p.Town.Name.En, heldOut);
            yield return new($"Which town has {n} as a resident?", p.Town.Name.En, heldOut);
            yield return new($"{n} works as what?", p.Job.En, heldOut);
            yield return new($"How does {n} earn a living?", p.Job.En, heldOut);
            yield return new($"What creature does {n} look after?", p.Pet.En, heldOut);
            yield return new($"{n} keeps which animal?", p.Pet.En, heldOut);
            yield return new($"Which food makes {n} happiest?", p.Food.En, heldOut);
        }
        for (var a = 0; a <= 12; a++)
        {
            for (var b = 0; b <= 12; b++)
            {
                var k = a * 13 + b;
                var heldOut = k % 3 == 2;
                // half the held-out sums, so the benchmark is not mostly arithmetic: neighbouring pairs, so that both the
                // English (even k) and the Chinese (odd k) phrasing are held out
                if (heldOut && k / 6 % 2 == 1) continue;
                var sum = (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return new(k % 2 == 0 ? $"{a} and {b} make how many?" : $"{a}和{b}一共是多少？", sum, heldOut);
            }
        }
    }
}
