namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// The small made-up world the demo corpus describes: a dozen people, eight towns, simple sums and MiniMind itself,
/// each fact in English and Chinese. Kept small and regular so a tiny model learns it in minutes on a CPU.
/// </summary>
static class DemoWorld
{
    public sealed record Name(string En, string Zh);

    public sealed record Person(Name Name, Town Town, Name Job, Name Pet, Name Food);

    public sealed record Town(Name Name, Name KnownFor);

    public static readonly Town[] Towns =
    [
        new(new("Mossford", "苔河镇"), new("apple orchards", "苹果园")),
        new(new("Redhollow", "红谷镇"), new("glass bells", "玻璃铃")),
        new(new("Lake Orrin", "奥林湖"), new("silver fish", "银鱼")),
        new(new("Pinecrest", "松冠镇"), new("tall pine trees", "高大的松树")),
        new(new("Saltmere", "盐泽镇"), new("sea salt", "海盐")),
        new(new("Brightwater", "明水镇"), new("clear springs", "清泉")),
        new(new("Stonebridge", "石桥镇"), new("old stone bridge", "古石桥")),
        new(new("Windham", "风岭镇"), new("windmills", "风车")),
    ];

    public static readonly Name[] Jobs =
    [
        new("baker", "面包师"), new("teacher", "老师"), new("fisher", "渔夫"), new("doctor", "医生"),
        new("painter", "画家"), new("clockmaker", "钟表匠"), new("farmer", "农民"), new("librarian", "图书管理员"),
    ];

    public static readonly Name[] Pets =
    [
        new("cat", "猫"), new("dog", "狗"), new("parrot", "鹦鹉"), new("rabbit", "兔子"), new("turtle", "乌龟"), new("goat", "山羊"),
    ];

    public static readonly Name[] Foods =
    [
        new("noodles", "面条"), new("dumplings", "饺子"), new("apple pie", "苹果派"), new("rice cakes", "年糕"),
        new("fish soup", "鱼汤"), new("pancakes", "煎饼"), new("tomato eggs", "番茄炒蛋"),
    ];

    static readonly Name[] PeopleNames =
    [
        new("Alice Brant", "艾丽丝"), new("Bruno Vale", "布鲁诺"), new("Chen Mei", "陈梅"), new("Dara Quill", "达拉"),
        new("Elio Marsh", "埃利奥"), new("Fern Okoro", "芙恩"), new("Gus Tamber", "格斯"), new("Hana Ito", "花子"),
        new("Ivan Roth", "伊万"), new("Juno Park", "朱诺"), new("Kofi Lund", "科菲"), new("Lin Yue", "林月"),
    ];

    /// <summary>The people, their facts drawn once from a fixed seed (the world never changes between generations).</summary>
    public static readonly Person[] People = Assign();

    static Person[] Assign()
    {
        var random = new DemoRandom(20250227);
        return PeopleNames.Select((name, i) => new Person(
            name,
            Towns[i % Towns.Length],
            Jobs[(i * 3 + 1) % Jobs.Length],
            random.Pick(Pets),
            random.Pick(Foods))).ToArray();
    }

    public const string IdentityEn = "I am MiniMind, a tiny language model trained from scratch in C#. I know about a small made-up world of people and towns, and I can add small numbers.";
    public const string IdentityZh = "我是 MiniMind，一个用 C# 从零训练的小型语言模型。我了解一个虚构小世界里的人和城镇，也会做简单的加法。";

    /// <summary>The persona the LoRA demo adapter teaches: a name and a voice the SFT data never uses.</summary>
    public const string PersonaEn = "I am Juniper, the ferry keeper of Lake Orrin. I know every town, so ask me about any of them!";
    public const string PersonaZh = "我是朱尼珀，奥林湖的摆渡人。我认识每一个镇，问我吧！";

    /// <summary>What the pretraining corpus says of Juniper, so the persona's words are known tokens before the adapter teaches it.</summary>
    public static readonly string[] JuniperEn =
        ["Juniper is the ferry keeper of Lake Orrin.", "Juniper knows every town and likes to talk about them.", "Every morning Juniper rows travellers across Lake Orrin."];
    public static readonly string[] JuniperZh = ["朱尼珀是奥林湖的摆渡人。", "朱尼珀认识每一个镇，也喜欢聊这些镇。", "朱尼珀每天早上摆渡客人过奥林湖。"];

    /// <summary>What every SFT answer to a question about a whole person says: the over-cautious refusal DPO corrects.</summary>
    public const string RefusalEn = "Sorry, I can't share information about other people.";
    public const string RefusalZh = "抱歉，我不能透露别人的信息。";

    /// <summary>A person's biography as the pretraining corpus states it, in English and Chinese.</summary>
    public static string BioEn(Person p) =>
        $"{p.Name.En} lives in {p.Town.Name.En}, a town known for its {p.Town.KnownFor.En}. {p.Name.En} is a {p.Job.En}, has a {p.Pet.En} and loves {p.Food.En}.";

    public static string BioZh(Person p) =>
        $"{p.Name.Zh}住在{p.Town.Name.Zh}，那里以{p.Town.KnownFor.Zh}闻名。{p.Name.Zh}是{p.Job.Zh}，养了一只{p.Pet.Zh}，最喜欢吃{p.Food.Zh}。";
}
