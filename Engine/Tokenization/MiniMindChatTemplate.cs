namespace MiniMind.Engine.Tokenization;

/// <summary>The Jinja chat template shipped in MiniMind2's tokenizer_config.json, written by the trainer.</summary>
public static class MiniMindChatTemplate
{
    public const string Template =
        "{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{{ '<s>system\\n' + system_message + '</s>\\n' }}"
        + "{% else %}{{ '<s>system\\n你是 MiniMind，是一个有用的人工智能助手。</s>\\n' }}{% endif %}"
        + "{% for message in messages %}{% set content = message['content'] %}{% if message['role'] == 'user' %}"
        + "{{ '<s>user\\n' + content + '</s>\\n<s>assistant\\n' }}{% elif message['role'] == 'assistant' %}"
        + "{{ content + '</s>' + '\\n' }}{% endif %}{% endfor %}";
}
