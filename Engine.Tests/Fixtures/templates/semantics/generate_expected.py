"""Regenerates semantics.json: small templates rendered by Python jinja2 in HuggingFace's environment.

Each case is {group, name, template, variables, expected}. Run: python3 generate_expected.py (needs jinja2).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from hf_env import env  # noqa: E402

MESSAGES = [
    {"role": "system", "content": "sys"},
    {"role": "user", "content": "hi"},
    {"role": "assistant", "content": "yo", "reasoning_content": "r"},
    {"role": "user", "content": "bye"},
]

CASES = {
    "whitespace": {
        "trim_and_lstrip_blocks_remove_tag_lines": "a\n  {% if true %}\n    x\n  {% endif %}\nb",
        "for_loop_lines_keep_only_content_newlines": "{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}",
        "minus_strips_all_whitespace_both_sides": "a  \n {%- if true -%} \n b \n {%- endif -%}  c",
        "minus_on_variable_tags": "x \n {{- ' y ' -}} \n z",
        "plus_disables_lstrip_blocks": "  {%+ if true %}x{% endif %}",
        "plus_at_end_disables_trim_blocks": "{% if true +%}\nx{% endif %}",
        "comment_line_is_removed": "a\n  {# a comment #}\nb",
        "raw_block_is_verbatim": "  {% raw %}{{ not evaluated }} {% if %}{% endraw %}\nnext",
        "variable_tags_are_not_lstripped_or_trimmed": "line\n    {{ 'v' }}\nend",
        "trim_blocks_only_removes_an_immediate_newline": "{% if true %}  \nx{% endif %}",
        "lstrip_at_template_start": "\t {% if true %}x{% endif %}",
        "no_lstrip_when_text_precedes_tag_on_line": "text {% if true %}x{% endif %}",
        "trim_after_endfor_and_set": "{% set a = 1 %}\n{% for i in [1] %}\n{{ a }}\n{% endfor %}\nend",
        "one_trailing_newline_is_dropped": "{{ 'x' }}\n\n",
        "crlf_and_cr_become_lf": "a\r\nb\r{% if true %}\r\nc{% endif %}\r\n",
        "whitespace_control_inside_strings_is_literal": "{{ '-%}' }}|{{ \"{{ x }}\" }}",
    },
    "expressions": {
        "arithmetic": "{{ 1 + 2 }} {{ 7 - 10 }} {{ 3 * 4 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 1.5 + 1 }} {{ 4 / 2 }}",
        "precedence": "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 1 ~ 2 * 3 }} {{ 'a' ~ 'b' + 'c' }} {{ not 1 == 2 }}",
        "string_concat_and_repeat": "{{ 'a' + 'b' }} {{ 'ab' * 3 }} {{ 'n' ~ 1 ~ none ~ true }} {{ [1] + [2, 3] }}",
        "comparisons": "{{ 1 < 2 }} {{ 2 <= 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ 1 != 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ true == 1 }}",
        "membership": "{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1, 2] }} {{ 'x' not in 'abc' }}",
        "boolean_operators_return_operands": "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ none or [] }} {{ not [] }} {{ not 'a' }}",
        "ternary": "{{ 'yes' if 1 else 'no' }} {{ 'yes' if 0 else 'no' }} [{{ 'only' if false }}] {{ 'a' if false else 'b' if true else 'c' }}",
        "literals_render_like_python_str": "{{ none }} {{ None }} {{ true }} {{ False }} {{ 42 }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.5e-7 }} {{ [1, 'a', none, true, {'k': 'v'}] }} {{ {'a': [1.0]} }} {{ (1, 2) }} {{ \"it's\" }} {{ ['it\\'s'] }}",
        "string_escapes": "{{ 'a\\nb' }}|{{ \"tab\\there\" }}|{{ 'q\\'s' }}|{{ 'back\\\\slash' }}|{{ '\\u00e9' }}|{{ 'x' 'y' }}",
        "attribute_falls_back_to_key_and_index_to_attribute": "{{ m.role }} {{ m['content'] }} {{ m.missing }}|{{ messages[1].content }} {{ messages[-1]['role'] }}",
        "dict_and_list_literals": "{% set d = {'a': 1, 'b': [1, 2], } %}{{ d.b[1] }} {{ d['a'] }} {{ [1, 2, ][1] }}",
        "integer_attribute_index": "{{ messages.0.role }}",
    },
    "slices": {
        "list_slices": "{{ [1, 2, 3, 4][1:] }} {{ [1, 2, 3, 4][:-1] }} {{ [1, 2, 3, 4][::-1] }} {{ [1, 2, 3, 4][::2] }} {{ [1, 2, 3, 4][-2:0:-1] }} {{ [1, 2, 3][5:] }} {{ [1, 2, 3][1:2] }}",
        "string_slices_and_indexes": "{{ 'hello'[1:3] }} {{ 'hello'[-1] }} {{ 'abc'[::-1] }} {{ 'hello'[:-1] }} {{ 'héllo👍'[::-1] }} {{ 'a👍b'[1] }}",
        "negative_indexes": "{{ [1, 2, 3][-1] }} {{ [1, 2, 3][-3] }} [{{ [1, 2, 3][-4] }}] [{{ [1, 2][9] }}]",
        "reverse_messages": "{% for m in messages[::-1] %}{{ m.role }},{% endfor %}",
    },
    "loops": {
        "loop_variables": "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }};{% endfor %}",
        "for_else_on_empty": "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}",
        "for_filter_counts_only_kept_items": "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ m.role }} {% endfor %}",
        "tuple_unpacking_dict_items": "{% for k, v in {'a': 1, 'b': [2]}.items() %}{{ k }}={{ v }};{% endfor %}",
        "iterating_a_dict_yields_keys": "{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}",
        "iterating_a_string_yields_characters": "{% for c in 'ab👍' %}[{{ c }}]{% endfor %}",
        "nested_loops_have_their_own_loop": "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.last }};{% endfor %}",
        "previtem_nextitem_and_cycle": "{% for x in [1, 2, 3] %}{{ loop.previtem | default('-') }}{{ x }}{{ loop.nextitem | default('-') }}{{ loop.cycle('a', 'b') }} {% endfor %}",
        "break_and_continue": "{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}",
        "range_forms": "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }}",
        "set_in_loop_does_not_leak": "{% set x = 'outer' %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }} {% endfor %}{{ x }}",
        "set_in_if_leaks_to_enclosing_scope": "{% if true %}{% set y = 3 %}{% endif %}{{ y }}",
        "loop_over_undefined_is_empty": "{% for x in nothing %}x{% else %}none{% endfor %}",
    },
    "namespaces_and_set": {
        "namespace_attribute_assignment_escapes_loops": "{% set ns = namespace(count=0, found=false, last=none) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.count = ns.count + 1 %}{% set ns.found = true %}{% set ns.last = loop.index0 %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.last }}",
        "namespace_with_computed_initial_values": "{% set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}{{ ns.multi_step_tool }} {{ ns.last_query_index }}",
        "set_tuple_unpacking": "{% set a, b = [1, 2] %}{{ b }}{{ a }}",
        "set_block_captures_output": "{% set x %}inner {{ 1 + 1 }}{% endset %}[{{ x }}]",
        "macro_with_defaults_and_keywords": "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }} {{ greet(name='Cy') }}",
        "macro_sees_outer_variables": "{% set who = 'world' %}{% macro hello() %}hello {{ who }}{% endmacro %}{{ hello() | upper }}",
    },
    "filters": {
        "length_and_count": "{{ messages | length }} {{ 'héllo' | length }} {{ {'a': 1} | count }} {{ nothing | length }}",
        "trim_string_and_case": "[{{ '  a b \\n' | trim }}] [{{ 'xxaxx' | trim('x') }}] {{ 42 | string }} {{ 'aBc' | upper }} {{ 'aBc' | lower }} {{ 'hello wORLD-foo' | title }} {{ 'hELLO world' | capitalize }}",
        "tojson_matches_python_json_dumps": "{{ {'a': 'é\\n\"', 'b': [1, 2.5, true, none], 'c': {}} | tojson }} {{ 'x' | tojson }} {{ [] | tojson }}",
        "tojson_indent_and_sort_keys": "{{ {'b': 1, 'a': [1, {'x': 2}], 'e': []} | tojson(indent=2) }}|{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
        "tojson_of_tools": "{% for t in tools %}{{ t | tojson }}\n{% endfor %}",
        "default_filter": "{{ nothing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ none | d('x') }} {{ 0 | default(5, boolean=true) }}",
        "join_replace_first_last": "{{ [1, 2, 3] | join(', ') }} {{ ['a', 'b'] | join }} {{ messages | map(attribute='role') | join('|') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ [3, 4] | first }} {{ 'xyz' | last }}",
        "list_int_float": "{{ 'ab' | list }} {{ {'k': 1} | list }} {{ '42' | int }} {{ 3.9 | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ '2.5' | float }} {{ 3 | float }}",
        "items_filter": "{% for k, v in {'a': 1, 'b': 2} | items %}{{ k }}{{ v }}{% endfor %}{% for k, v in nothing | items %}x{% endfor %}",
        "selectattr_rejectattr": "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ messages | rejectattr('role', 'equalto', 'user') | list | length }} {{ messages | selectattr('reasoning_content') | map(attribute='role') | first }} {{ messages | selectattr('reasoning_content', 'defined') | list | length }}",
        "select_reject_with_tests": "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ [0, 1, '', 'a'] | select | list }}",
        "map_with_filter_name": "{{ ['a', 'b'] | map('upper') | join }} {{ messages | map(attribute='missing', default='?') | join }}",
        "sorting_and_aggregates": "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ messages | sort(attribute='role') | map(attribute='content') | join(',') }} {{ [1, 2, 2, 1] | unique | list }} {{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }} {{ [1, 2, 3] | sum }} {{ [3, 1] | min }} {{ [3, 1] | max }}",
        "numbers": "{{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(0, 'ceil') }}",
        "escape_and_safe": "{{ '<a href=\"x\">&\\'</a>' | e }} {{ '<b>' | safe }}",
        "indent": "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}",
    },
    "tests": {
        "defined_and_undefined": "{{ m.role is defined }} {{ m.tool_calls is defined }} {{ m.tool_calls is undefined }} {{ nothing is defined }} {{ m.tool_calls is not defined }}",
        "type_tests": "{{ 'a' is string }} {{ 1 is string }} {{ m is mapping }} {{ [] is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} {{ 1 is iterable }} {{ 1 is number }} {{ 1.5 is number }} {{ 'a' is number }} {{ [] is sequence }} {{ 'a' is sequence }} {{ none is none }} {{ 0 is none }}",
        "boolean_tests": "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ none is false }} {{ flag is false }} {{ flag is not true }}",
        "comparison_tests": "{{ 2 is equalto 2 }} {{ 'a' is equalto('b') }} {{ 3 is divisibleby 3 }} {{ 3 is odd }} {{ 4 is even }} {{ 5 is gt 4 }} {{ 'b' is in 'abc' }}",
        "test_binds_tighter_than_not_and_and": "{{ not m.x is defined and m.role is string }}",
    },
    "methods": {
        "startswith_endswith": "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'hello'.endswith('x') }}",
        "split": "{{ 'a b  c '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ ' a b c'.split(none, 1) }} {{ 'x</think>y'.split('</think>')[0] }}",
        "think_extraction_like_qwen3": "{% set c = '<think>\\nreason\\n</think>\\n\\nanswer' %}[{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}] [{{ c.split('</think>')[-1].lstrip('\\n') }}]",
        "strip_family": "[{{ '  x  '.strip() }}] [{{ 'xxaxx'.lstrip('x') }}] [{{ 'xxaxx'.rstrip('x') }}] [{{ '\\n\\na\\n'.strip('\\n') }}] [{{ 'ab'.strip('ba') }}]",
        "case_and_replace": "{{ 'Ab'.upper() }} {{ 'Ab'.lower() }} {{ 'hello world'.title() }} {{ 'aXa'.replace('a', 'b') }} {{ 'a-b-c'.replace('-', '+', 1) }} {{ '{} is {name}'.format(1, name='x') }}",
        "dict_methods": "{{ m.get('role') }} {{ m.get('nope') }} {{ m.get('nope', 'dflt') }} {{ m.keys() | list }} {{ m.values() | list }} {% for k, v in m.items() %}{{ k }}:{{ v }} {% endfor %}",
        "get_reasoning_content_like_hf": "{% for m in messages %}{{ m.get('reasoning_content') }},{% endfor %}",
    },
}

here = Path(__file__).parent
cases = []
for group, templates in CASES.items():
    for name, source in templates.items():
        variables = {"messages": MESSAGES, "m": MESSAGES[2], "flag": False,
                     "tools": [{"type": "function", "function": {"name": "f", "parameters": {"x": 1}}}]}
        try:
            expected = env.from_string(source).render(**variables)
        except Exception as error:
            sys.exit(f"{group}/{name}: {error}")
        cases.append({"group": group, "name": name, "template": source, "variables": variables, "expected": expected})

(here / "semantics.json").write_text(json.dumps({"cases": cases}, ensure_ascii=False, indent=1), encoding="utf-8")
print(len(cases), "cases")
