using System.Text;
using System.Text.Json;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// The Unicode normalizers HF byte-level tokenizers use (Qwen: <c>NFC</c>), possibly inside a <c>Sequence</c>;
/// applied to each plain segment between added tokens, as HF does for non-normalized added tokens.
/// </summary>
sealed class Normalizer(IReadOnlyList<NormalizationForm> forms)
{
    public string Apply(string text)
    {
        foreach (NormalizationForm form in forms)
        {
            text = text.Normalize(form);
        }
        return text;
    }

    /// <summary>Null when tokenizer.json has no normalizer.</summary>
    public static Normalizer? Parse(JsonElement? element, JsonFields fields)
    {
        if (element is not { } json)
        {
            return null;
        }
        var forms = new List<NormalizationForm>();
        Collect(json, "normalizer", forms, fields);
        return forms.Count == 0 ? null : new Normalizer(forms);
    }

    static void Collect(JsonElement json, string path, List<NormalizationForm> forms, JsonFields fields)
    {
        string type = fields.RequiredString(json, "type", path);
        switch (type)
        {
            case "NFC": forms.Add(NormalizationForm.FormC); break;
            case "NFD": forms.Add(NormalizationForm.FormD); break;
            case "NFKC": forms.Add(NormalizationForm.FormKC); break;
            case "NFKD": forms.Add(NormalizationForm.FormKD); break;
            case "Sequence":
                JsonElement items = fields.Required(json, "normalizers", path);
                int index = 0;
                foreach (JsonElement item in items.EnumerateArray())
                {
                    Collect(item, $"{path}.normalizers[{index++}]", forms, fields);
                }
                break;
            default:
                throw fields.Error($"{path}.type", $"'{type}' is not a supported normalizer (NFC, NFD, NFKC, NFKD, Sequence)");
        }
    }
}
