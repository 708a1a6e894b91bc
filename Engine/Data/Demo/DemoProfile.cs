namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// A question about a whole person: the SFT data always refuses it (<see cref="DemoWorld.RefusalEn"/>, the over-cautious
/// habit real SFT data teaches), the DPO pairs prefer <see cref="Bio"/> over that refusal. <see cref="Train"/> phrasings
/// appear in those files, <see cref="HeldOut"/> only in the preference benchmark, whose answer must name every one of
/// <see cref="Facts"/> (town, job, pet, food).
/// </summary>
sealed record DemoProfile(string[] Train, string[] HeldOut, string Bio, string[] Facts, bool Chinese)
{
    public string Refusal => Chinese ? DemoWorld.RefusalZh : DemoWorld.RefusalEn;
}
