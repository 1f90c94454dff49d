"""rnb.ui (rnb/ui.py): widgets whose values the page sets, found again when their cell runs again."""
import json
import sys
import types
import unittest


class Widgets(unittest.TestCase):
    def setUp(self):
        self._saved_modules = dict(sys.modules)
        # A fresh package: the widgets' state (ids, live widgets, stored values) is rnb.widget's.
        for name in ("rnb", "rnb.ui", "rnb.widget"):
            sys.modules.pop(name, None)
        sys.modules["__main__"] = types.ModuleType("__main__")
        from rnb import ui
        self.ui = ui

    def tearDown(self):
        sys.modules.clear()
        sys.modules.update(self._saved_modules)

    def test_the_page_sets_a_value_and_a_rerun_keeps_it(self):
        self.ui.begin_cell("c1", "{}")
        size = self.ui.slider(0, 10, value=3, label="size")
        sys.modules["__main__"].size = size
        self.assertEqual(size.id, "c1:0")
        answer = json.loads(self.ui.set_widget_value(json.dumps({"widget_id": "c1:0", "value": 7.6})))
        self.assertEqual((answer["value"], answer["kind"], answer["names"]), (8, "slider", ["size"]))
        self.ui.begin_cell("c1", "{}")
        self.assertEqual(self.ui.slider(0, 10, value=3, label="size").value, 8)

    def test_a_value_out_of_range_is_refused_in_words(self):
        self.ui.begin_cell("c2", "{}")
        self.ui.slider(0, 10)
        answer = json.loads(self.ui.set_widget_value(json.dumps({"widget_id": "c2:0", "value": 11})))
        self.assertEqual(answer, {"error": "slider value 11 is outside 0..10"})

    def test_a_stored_value_applies_on_a_new_kernel(self):
        self.ui.begin_cell("c3", json.dumps({"c3:0": {"value": "Ada", "props": {"label": "", "placeholder": "", "max_length": None}, "kind": "text"}}))
        widget = self.ui.text()
        self.assertEqual(widget.value, "Ada")
        self.assertEqual(widget._rnb_output_()["mime_type"], "application/vnd.rnb.widget+json")
        self.assertEqual(json.loads(self.ui.set_widget_value(json.dumps({"widget_id": "nope", "value": 1}))), {"missing": True})


class Micropip(unittest.TestCase):
    def setUp(self):
        self._saved = sys.modules.get("micropip")

    def tearDown(self):
        if self._saved is None:
            sys.modules.pop("micropip", None)
        else:
            sys.modules["micropip"] = self._saved

    def test_install_hands_the_requirements_on_and_raises_their_error(self):
        import asyncio
        import rnb_micropip
        asked = []

        async def install_js(requirements_json):
            asked.append(json.loads(requirements_json))
            return "" if len(asked) == 1 else "nope is not available on this server"

        rnb_micropip.make_micropip(install_js)
        import micropip
        asyncio.run(micropip.install("attrs"))
        self.assertEqual(micropip.list(), ["attrs"])
        with self.assertRaisesRegex(ValueError, "not available on this server"):
            asyncio.run(micropip.install(["nope"]))
        self.assertEqual(asked, [["attrs"], ["nope"]])


if __name__ == "__main__":
    unittest.main()
