using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MiniMind.Architecture;

/// <summary>
/// Which folders of an assembly use which, read from its compiled IL with Mono.Cecil: every type a type names in its base
/// type, interfaces, attributes, fields, properties, method signatures, locals and method bodies (calls, field accesses,
/// casts, generic arguments), compiler-generated types counted as their declaring type's. A folder is the namespace segment
/// after the assembly's root (<c>MiniMind.Engine.Training.Objectives</c> is in Training). Shared by the Engine and
/// Studio architecture tests (Studio.Tests links this file).
/// </summary>
public sealed class FolderDependencies
{
    /// <summary>(from folder, to namespace) -> a few "Type -> referenced type" examples.</summary>
    public IReadOnlyDictionary<(string From, string To), List<string>> Uses { get; }

    public string Root { get; }

    public FolderDependencies(string assemblyPath, string root)
    {
        Root = root;
        var uses = new Dictionary<(string, string), List<string>>();
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (var type in module.GetTypes())
        {
            var from = Folder(NamespaceOf(type));
            if (from is null) continue;
            foreach (var referenced in Referenced(type).SelectMany(Expand))
            {
                var ns = NamespaceOf(referenced);
                if (ns.Length == 0 || Folder(ns) == from) continue;
                var key = (from, ns);
                if (!uses.TryGetValue(key, out var examples)) uses[key] = examples = [];
                var example = $"{type.FullName} -> {referenced.FullName}";
                if (examples.Count < 3 && !examples.Contains(example)) examples.Add(example);
            }
        }
        Uses = uses;
    }

    /// <summary>The folder of a namespace under the root, or null outside it.</summary>
    public string? Folder(string ns) =>
        ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..].Split('.')[0] : null;

    /// <summary>Folder -> folders it uses (within the root).</summary>
    public Dictionary<string, HashSet<string>> Graph()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var ((from, to), _) in Uses)
        {
            if (!graph.ContainsKey(from)) graph[from] = [];
            if (Folder(to) is { } target) graph[from].Add(target);
        }
        return graph;
    }

    /// <summary>Examples of <paramref name="from"/> using a namespace that <paramref name="matches"/>.</summary>
    public IReadOnlyList<string> Examples(string from, Func<string, bool> matches) =>
        Uses.Where(u => u.Key.From == from && matches(u.Key.To)).SelectMany(u => u.Value).ToList();

    /// <summary>Groups of folders that use each other, directly or through others (strongly connected, more than one).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var graph = Graph();
        var nodes = graph.Keys.Concat(graph.Values.SelectMany(v => v)).Distinct().Order().ToList();
        bool Reaches(string a, string b)
        {
            var seen = new HashSet<string>();
            var stack = new Stack<string>([a]);
            while (stack.TryPop(out var n))
                foreach (var next in graph.GetValueOrDefault(n) ?? [])
                {
                    if (next == b) return true;
                    if (seen.Add(next)) stack.Push(next);
                }
            return false;
        }
        var cycles = new List<IReadOnlyList<string>>();
        var placed = new HashSet<string>();
        foreach (var n in nodes)
        {
            if (placed.Contains(n)) continue;
            var group = nodes.Where(m => m == n || (Reaches(n, m) && Reaches(m, n))).ToList();
            placed.UnionWith(group);
            if (group.Count > 1) cycles.Add(group);
        }
        return cycles;
    }

    static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.Namespace;
    }

    static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        if (type.BaseType is not null) yield return type.BaseType;
        foreach (var i in type.Interfaces) yield return i.InterfaceType;
        foreach (var a in type.CustomAttributes) yield return a.AttributeType;
        foreach (var f in type.Fields) yield return f.FieldType;
        foreach (var p in type.Properties) yield return p.PropertyType;
        foreach (var e in type.Events) yield return e.EventType;
        foreach (var m in type.Methods)
        {
            yield return m.ReturnType;
            foreach (var p in m.Parameters) yield return p.ParameterType;
            foreach (var a in m.CustomAttributes) yield return a.AttributeType;
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) yield return v.VariableType;
            foreach (var instruction in m.Body.Instructions)
                foreach (var t in Operand(instruction)) yield return t;
        }
    }

    static IEnumerable<TypeReference> Operand(Instruction instruction)
    {
        switch (instruction.Operand)
        {
            case TypeReference t:
                yield return t;
                break;
            case MethodReference m:
                yield return m.DeclaringType;
                yield return m.ReturnType;
                foreach (var p in m.Parameters) yield return p.ParameterType;
                if (m is GenericInstanceMethod g) foreach (var a in g.GenericArguments) yield return a;
                break;
            case FieldReference f:
                yield return f.DeclaringType;
                yield return f.FieldType;
                break;
        }
    }

    /// <summary>A type and what it is built from: generic arguments, array and by-ref element types.</summary>
    static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        switch (type)
        {
            case GenericParameter:
                yield break;
            case GenericInstanceType generic:
                foreach (var t in Expand(generic.ElementType)) yield return t;
                foreach (var a in generic.GenericArguments)
                    foreach (var t in Expand(a)) yield return t;
                break;
            case TypeSpecification spec: // arrays, by-ref, pointers, modifiers
                foreach (var t in Expand(spec.ElementType)) yield return t;
                break;
            default:
                yield return type;
                break;
        }
    }
}
