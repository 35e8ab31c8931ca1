"""Facts about Python sources for `repro-audit scan`, read with Python's own parser.

Input on stdin: JSON lines, each {"id": str, "source": str}. Output on stdout: one
JSON line per input, in order: {"id", "ok": true, "imports", "calls", "assigns"} or
{"id", "ok": false, "error"}. The classification happens in TypeScript
(harness/scan/classify.ts); this script only says what the code contains, so it
stays small, stdlib-only and runs on any CPython 3.8+.

A callee is a dotted name as written: `np.random.seed`, `mlflow.tracking.MlflowClient().log_metric`
("()" marks a call in the chain); None where the callee is not a name (`f()()` of a lambda).
"""
import ast
import json
import sys

MAX_LITERAL = 200


def dotted(node):
    """The dotted text of a Name/Attribute/Call chain, or None."""
    parts = []
    while True:
        if isinstance(node, ast.Name):
            parts.append(node.id)
            break
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
            continue
        if isinstance(node, ast.Call):
            inner = dotted(node.func)
            if inner is None:
                return None
            parts.append(inner + "()")
            break
        if isinstance(node, ast.Subscript):
            key = literal(node.slice)
            base = dotted(node.value)
            if base is None or not isinstance(key, str):
                return None
            parts.append(base + "[" + key + "]")
            break
        return None
    return ".".join(reversed(parts))


def literal(node):
    """A constant's value when it is small and JSON-able; None otherwise."""
    if isinstance(node, ast.Index):  # Python < 3.9 wraps subscripts
        node = node.value  # pragma: no cover
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        v = node.value
        if isinstance(v, str) and len(v) > MAX_LITERAL:
            return v[:MAX_LITERAL]
        if isinstance(v, float) and v != v:
            return None
        return v
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = literal(node.operand)
        return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if isinstance(node, (ast.List, ast.Tuple)):
        # subprocess.run(["wget", url]): the first string is what matters
        items = [literal(e) for e in node.elts[:8]]
        return " ".join(str(i) for i in items if i is not None)
    return None


def value_of(node):
    """An argument as the classifier reads it: a literal, null for None, "<expr>" for anything else."""
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    if isinstance(node, ast.Starred):
        return "<*>"
    v = literal(node)
    return "<expr>" if v is None else v


class Facts(ast.NodeVisitor):
    def __init__(self):
        self.imports = []
        self.calls = []
        self.assigns = []

    def visit_Import(self, node):
        for a in node.names:
            self.imports.append({"module": a.name, "name": None, "asname": a.asname, "line": node.lineno})

    def visit_ImportFrom(self, node):
        if node.level:  # a relative import is the project's own module
            return
        for a in node.names:
            self.imports.append({"module": node.module or "", "name": a.name, "asname": a.asname, "line": node.lineno})

    def visit_Call(self, node):
        callee = dotted(node.func)
        if callee is not None:
            kw = {}
            for k in node.keywords:
                if k.arg is None:
                    kw["**"] = "<expr>"
                else:
                    kw[k.arg] = value_of(k.value)
            args = [value_of(a) for a in node.args[:4]]
            self.calls.append({"callee": callee, "line": node.lineno, "args": args, "nargs": len(node.args), "keywords": kw})
        self.generic_visit(node)

    def _assign(self, targets, value, line):
        if value is None:
            return
        if isinstance(value, ast.Call):
            inner = dotted(value.func)
            v = {"call": inner} if inner is not None else None
        elif isinstance(value, ast.Constant):
            v = {"literal": literal(value)}
        else:
            d = dotted(value)
            v = {"name": d} if d is not None else None
        if v is None:
            return
        for t in targets:
            name = dotted(t)
            if name is not None:
                self.assigns.append({"target": name, "line": line, "value": v})

    def visit_Assign(self, node):
        self._assign(node.targets, node.value, node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._assign([node.target], node.value, node.lineno)
        self.generic_visit(node)

    def visit_With(self, node):
        for item in node.items:
            if item.optional_vars is not None:
                self._assign([item.optional_vars], item.context_expr, node.lineno)
        self.generic_visit(node)

    visit_AsyncWith = visit_With


def head(dotted_name):
    return dotted_name.split(".", 1)[0].split("(", 1)[0].split("[", 1)[0]


def facts(source):
    tree = ast.parse(source)
    f = Facts()
    f.visit(tree)
    # Only names bound by an import or an assignment can resolve to a module's
    # function: the rest (len, print, a parameter's methods) is dropped here, which
    # keeps the answer for a large library file small without changing a finding.
    imported = {(i["asname"] or (i["name"] or i["module"]).split(".")[0]) for i in f.imports}
    bound = imported | {a["target"] for a in f.assigns if "." not in a["target"]}

    def keeps(a):
        v = a["value"]
        target_head = head(a["target"])
        if "literal" in v:
            return target_head in imported
        return head(v.get("call") or v.get("name")) in bound or ("." in a["target"] and target_head in bound)

    calls = [c for c in f.calls if head(c["callee"]) in bound]
    return {"ok": True, "imports": f.imports, "calls": calls, "assigns": [a for a in f.assigns if keeps(a)]}


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            result = facts(item["source"])
        except SyntaxError as e:
            result = {"ok": False, "error": "syntax error at line %s: %s" % (e.lineno, e.msg)}
        except (ValueError, RecursionError, MemoryError) as e:
            result = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        result["id"] = item["id"]
        out.write(json.dumps(result) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
