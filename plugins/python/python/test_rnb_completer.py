"""Completions and hover docs (rnb_completer.py, rnb_inspector.py) from the notebook's live namespace."""
import json
import unittest

from kernel_test_support import FreshKernel


class Completions(FreshKernel):
    def complete(self, code, cursor=None):
        return json.loads(self.runner.complete(json.dumps({"code": code, "cursor": len(code) if cursor is None else cursor})))

    def labels(self, code):
        return [option["label"] for option in self.complete(code)["options"]]

    def test_names_of_the_notebook_keywords_and_builtins(self):
        self.run_cell("revenue = 3\nrepeat_count = 2", defines=["revenue", "repeat_count"])
        answer = self.complete("x = re")
        self.assertEqual(answer["from"], 4)
        self.assertIn({"label": "revenue", "type": "variable", "detail": "int"}, answer["options"])
        self.assertIn("return", self.labels("re"))
        self.assertIn("repr", self.labels("re"))

    def test_attributes_of_a_chain_of_names(self):
        self.run_cell("import json", defines=["json"])
        self.assertIn("dumps", self.labels("json.du"))
        self.assertEqual(self.complete("json.du")["from"], 5)

    def test_private_names_only_when_asked_for(self):
        self.run_cell("class A:\n    _hidden = 1\n    shown = 2\na = A()", defines=["A", "a"])
        self.assertEqual(self.labels("a."), ["shown"])
        self.assertIn("_hidden", self.labels("a._"))

    def test_nothing_is_called_to_complete(self):
        self.run_cell("calls = []\ndef f():\n    calls.append(1)\n    return 'text'", defines=["calls", "f"])
        self.assertEqual(self.labels("f().up"), [])
        self.assertEqual(self.G["calls"], [])


class HoverDocs(FreshKernel):
    def inspect(self, name):
        return json.loads(self.runner.inspect_name(json.dumps({"name": name})))

    def test_a_function_has_its_signature_and_doc(self):
        self.run_cell("def area(width, height=2) -> int:\n    '''Width times height.'''\n    return width * height",
                      defines=["area"])
        self.assertEqual(self.inspect("area"), {"name": "area", "type": "function", "signature": "(width, height=2) -> int",
                                                "doc": "Width times height.", "value": None})

    def test_a_value_has_a_short_summary_and_no_doc(self):
        self.run_cell("rows = list(range(10))", defines=["rows"])
        answer = self.inspect("rows")
        self.assertEqual((answer["type"], answer["value"], answer["doc"]), ("list", "list[10]", None))

    def test_unknown_names_and_expressions_answer_nothing(self):
        self.assertIsNone(self.inspect("no_such_name"))
        self.assertIsNone(self.inspect("f()"))
        self.assertEqual(self.inspect("lambda")["type"], "keyword")


if __name__ == "__main__":
    unittest.main()
