using static MiniMind.Engine.Data.Demo.DemoWorld;

namespace MiniMind.Engine.Data.Demo;

/// <summary>Every fact of <see cref="DemoWorld"/> with its phrasings, in English and Chinese.</summary>
static class DemoFacts
{
    public static IEnumerable<DemoFact> All()
    {
        foreach (var p in People)
        {
            string n = p.Name.En, z = p.Name.Zh;
            yield return new(["Where does " + n + " live?", "Which town is " + n + " from?", "What town does " + n + " live in?", "Where is " + n + "'s home?", "In which town does " + n + " live?", "Where can I find " + n + "?"],
                "Tell me the town where " + n + " lives.", $"{n} lives in {p.Town.Name.En}.",
                [$"{n} lives in {p.Town.Name.En}.", $"{n} comes from {p.Town.Name.En}.", $"In {p.Town.Name.En} lives {n}."],
                $"{n} lives in {Other(p.Town, Towns).Name.En}.", false);
            yield return new([z + "住在哪里？", z + "是哪个镇的人？", z + "住在哪个镇？", z + "的家在哪个镇？", z + "住在什么地方？", "告诉我" + z + "住在哪儿。"], "请告诉我" + z + "住的镇。", $"{z}住在{p.Town.Name.Zh}。",
                [$"{z}住在{p.Town.Name.Zh}。", $"{z}来自{p.Town.Name.Zh}。", $"{p.Town.Name.Zh}住着{z}。"],
                $"{z}住在{Other(p.Town, Towns).Name.Zh}。", true);
            yield return new(["What does " + n + " do for a living?", "What is " + n + "'s job?", "What work does " + n + " do?", "Tell me " + n + "'s job.", "What is " + n + "'s profession?", "Which work does " + n + " do?"],
                "Which job does " + n + " have?", $"{n} is a {p.Job.En}.",
                [$"{n} is a {p.Job.En}.", $"{n} works as a {p.Job.En}.", $"The {p.Job.En} {n} works hard every day."],
                $"{n} is a {Other(p.Job, Jobs).En}.", false);
            yield return new([z + "是做什么工作的？", z + "的职业是什么？", z + "做什么工作？", z + "的工作是什么？", z + "靠什么谋生？", "告诉我" + z + "的职业。"], z + "从事什么职业？", $"{z}是{p.Job.Zh}。",
                [$"{z}是{p.Job.Zh}。", $"{z}的工作是{p.Job.Zh}。", $"{p.Job.Zh}{z}每天都很努力。"], $"{z}是{Other(p.Job, Jobs).Zh}。", true);
            yield return new(["What pet does " + n + " have?", "What animal does " + n + " keep?", "Does " + n + " have a pet?", "Tell me about " + n + "'s pet.", "What animal is " + n + "'s pet?", "What kind of pet does " + n + " keep?"],
                "Which pet lives with " + n + "?", $"{n} has a {p.Pet.En}.",
                [$"{n} has a {p.Pet.En}.", $"{n} keeps a {p.Pet.En} at home.", $"The {p.Pet.En} of {n} is very friendly."],
                $"{n} has a {Other(p.Pet, Pets).En}.", false);
            yield return new([z + "养了什么宠物？", z + "家里有什么动物？", z + "有宠物吗？", z + "养的是什么动物？", z + "家养了什么？", "告诉我" + z + "养的宠物。"], z + "的宠物是什么？", $"{z}养了一只{p.Pet.Zh}。",
                [$"{z}养了一只{p.Pet.Zh}。", $"{z}家里有一只{p.Pet.Zh}。", $"{z}的{p.Pet.Zh}很友好。"], $"{z}养了一只{Other(p.Pet, Pets).Zh}。", true);
            yield return new(["What is " + n + "'s favorite food?", "What food does " + n + " like best?", "Which dish does " + n + " love?", "What meal does " + n + " enjoy most?", "Tell me " + n + "'s favorite food.", "What does " + n + " love to eat?"],
                "What does " + n + " most like to eat?", $"{n}'s favorite food is {p.Food.En}.",
                [$"{n}'s favorite food is {p.Food.En}.", $"{n} loves {p.Food.En}.", $"Nothing makes {n} happier than {p.Food.En}."],
                $"{n}'s favorite food is {Other(p.Food, Foods).En}.", false);
            yield return new([z + "最喜欢吃什么？", z + "最爱的食物是什么？", z + "喜欢什么菜？", z + "爱吃什么？", z + "最喜欢的菜是什么？", "告诉我" + z + "最爱吃的东西。"], z + "最喜爱哪种食物？", $"{z}最喜欢吃{p.Food.Zh}。",
                [$"{z}最喜欢吃{p.Food.Zh}。", $"{z}最爱{p.Food.Zh}。", $"{p.Food.Zh}是{z}最喜欢的食物。"], $"{z}最喜欢吃{Other(p.Food, Foods).Zh}。", true);
        }
        for (var i = 0; i < Towns.Length; i++)
        {
            var t = Towns[i];
            var other = Towns[(i + 3) % Towns.Length];
            yield return new(["What is " + t.Name.En + " known for?", "What is " + t.Name.En + " famous for?", "What is special about " + t.Name.En + "?", "What is " + t.Name.En + " best known for?", "Tell me what " + t.Name.En + " is known for.", "Why do people visit " + t.Name.En + "?"],
                "Why is " + t.Name.En + " well known?", $"{t.Name.En} is known for its {t.KnownFor.En}.",
                [$"{t.Name.En} is known for its {t.KnownFor.En}.", $"People visit {t.Name.En} for its {t.KnownFor.En}.", $"The town of {t.Name.En} is famous for its {t.KnownFor.En}."],
                $"{t.Name.En} is known for its {other.KnownFor.En}.", false);
            yield return new([t.Name.Zh + "以什么闻名？", t.Name.Zh + "有什么特别的？", t.Name.Zh + "出名的是什么？", t.Name.Zh + "因为什么出名？", "告诉我" + t.Name.Zh + "以什么闻名。", "人们为什么去" + t.Name.Zh + "？"], "为什么" + t.Name.Zh + "很有名？",
                $"{t.Name.Zh}以{t.KnownFor.Zh}闻名。",
                [$"{t.Name.Zh}以{t.KnownFor.Zh}闻名。", $"人们去{t.Name.Zh}看{t.KnownFor.Zh}。", $"{t.Name.Zh}最有名的是{t.KnownFor.Zh}。"],
                $"{t.Name.Zh}以{other.KnownFor.Zh}闻名。", true);
        }
        for (var a = 0; a <= 12; a++)
        {
            for (var b = 0; b <= 12; b++)
            {
                var wrong = a + b + (a % 2 == 0 ? 1 : -1);
                yield return new([$"What is {a} plus {b}?", $"{a} + {b} = ?", $"Add {a} and {b}."], $"Compute {a} + {b}.", $"{a} plus {b} is {a + b}.",
                    [$"{a} plus {b} is {a + b}.", $"{a} + {b} = {a + b}.", $"Adding {a} and {b} gives {a + b}."], $"{a} plus {b} is {wrong}.", false);
                yield return new([$"{a}加{b}等于多少？", $"{a} + {b} 是多少？", $"算一下{a}加{b}。"], $"请计算{a}+{b}。", $"{a}加{b}等于{a + b}。",
                    [$"{a}加{b}等于{a + b}。", $"{a} + {b} = {a + b}。", $"{a}和{b}相加得{a + b}。"], $"{a}加{b}等于{wrong}。", true);
            }
        }
        yield return new(["Who are you?", "What is your name?", "Introduce yourself."], "Can you tell me who you are?", IdentityEn,
            [IdentityEn, "MiniMind is a tiny language model trained from scratch in C#."], "I am ChatGPT, made by OpenAI.", false);
        yield return new(["你是谁？", "你叫什么名字？", "介绍一下你自己。"], "能告诉我你是谁吗？", IdentityZh,
            [IdentityZh, "MiniMind 是一个用 C# 从零训练的小型语言模型。"], "我是一个人类。", true);
    }

    /// <summary>Every person's profile question, in English and Chinese.</summary>
    public static IEnumerable<DemoProfile> Profiles()
    {
        foreach (var p in People)
        {
            string n = p.Name.En, z = p.Name.Zh;
            yield return new(["Tell me about " + n + ".", "Who is " + n + "?", "What do you know about " + n + "?", "Give me a profile of " + n + ".",
                 "Introduce " + n + " to me.", "Tell me everything about " + n + ".", "What can you tell me about " + n + "?", "I want to know about " + n + "."],
                ["Describe " + n + ".", "Can you describe " + n + " for me?"], BioEn(p),
                [p.Town.Name.En, p.Job.En, p.Pet.En, p.Food.En], false);
            yield return new(["介绍一下" + z + "。", z + "是谁？", "你知道" + z + "的什么事？", "说说" + z + "这个人。",
                 "给我介绍一下" + z + "。", "关于" + z + "你知道什么？", "讲一讲" + z + "吧。", "我想了解" + z + "。"],
                ["描述一下" + z + "。", "请讲讲" + z + "的情况。"], BioZh(p),
                [p.Town.Name.Zh, p.Job.Zh, p.Pet.Zh, p.Food.Zh], true);
        }
    }

    /// <summary>A wrong answer that is never the right one: the item three places further in its list.</summary>
    static T Other<T>(T right, T[] pool) => pool[(Array.IndexOf(pool, right) + 3) % pool.Length];
}
