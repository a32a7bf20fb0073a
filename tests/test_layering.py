"""The layering of docs/architecture.md, on the import graph of our apps.

`make lint` checks the contracts in pyproject.toml (import-linter: exams -> questions ->
nothing of ours, accounts uses neither, selectors import no service) and refuses imports inside
functions (ruff PLC0415). This adds what those cannot say: no two of our modules import each
other, directly or round a longer loop.
"""

import grimp

OURS = ("accounts", "questions", "exams", "config")


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another round a loop (Tarjan's strongly connected
    components with more than one member, or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in imports.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in imports.get(module, ()):
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_loop_of_three():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_ours_imports_itself_round_a_loop():
    graph = grimp.build_graph(*OURS)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert cycles(imports) == []
