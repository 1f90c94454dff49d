"""The live tables' sort order (rnb_table_sort.py): the prefix a page needs is exactly the stable sort's, ties in row
order, missing values last in both directions."""
import importlib.util
import random
import unittest

HAS_PANDAS = importlib.util.find_spec("pandas") is not None


@unittest.skipUnless(HAS_PANDAS, "pandas (and numpy) are not installed")
class StableOrder(unittest.TestCase):
    def expected(self, values, descending):
        present = [i for i, v in enumerate(values) if v is not None and v == v]
        missing = [i for i, v in enumerate(values) if not (v is not None and v == v)]
        # Python's sort is stable; reverse=True keeps equal items in their original order too.
        return sorted(present, key=lambda i: values[i], reverse=descending) + missing

    def check(self, values, dtype=None):
        import numpy
        import rnb_table_sort
        array = numpy.array(values, dtype=dtype)
        key = rnb_table_sort.column_key(array)
        rows = numpy.arange(0, len(values), 3)  # a filter's rows
        for descending in (False, True):
            want = self.expected(values, descending)
            for needed in (1, 5, 50, len(values)):
                order, complete = rnb_table_sort.stable_order(key, descending, needed)
                self.assertEqual(order[:needed].tolist(), want[:needed], (descending, needed))
                if complete:
                    self.assertEqual(order.tolist(), want)
                kept = [i for i in want if i % 3 == 0]
                order, complete = rnb_table_sort.stable_order(key, descending, needed, rows)
                self.assertEqual(order[:needed].tolist(), kept[:needed], ("filtered", descending, needed))
            self.assertTrue(rnb_table_sort.stable_order(key, descending, len(values))[1])

    def test_integers_with_many_ties(self):
        rng = random.Random(4)
        self.check([rng.randrange(20) for _ in range(2000)])

    def test_floats_with_nan_last_both_ways(self):
        rng = random.Random(5)
        self.check([float("nan") if rng.random() < 0.1 else float(rng.randrange(50)) for _ in range(2000)])

    def test_text_and_none(self):
        rng = random.Random(6)
        self.check([None if rng.random() < 0.05 else f"w{rng.randrange(300)}" for _ in range(2000)], dtype=object)

    def test_text_in_code_point_order_whatever_its_characters(self):
        # Non-ASCII (ranked as UTF-8 bytes), NULs at the end (which numpy's fixed-width bytes would drop), a lone surrogate.
        words = ["a", "a\x00", "a\x00\x00", "\x00", "", "\x01", "a\x01", "é", "e", "z", "😀", "ﬀ", "\ud800", "A", "ab", "a b"]
        rng = random.Random(7)
        self.check([rng.choice(words) for _ in range(3000)], dtype=object)
        # Over 8 bytes (not compared as one integer).
        long_words = [w * 4 + tail for w in words for tail in ("", "\x00", "é", "abcdefgh")]
        self.check([rng.choice(long_words) for _ in range(3000)], dtype=object)

    def test_ascii_text_without_missing_values_in_python_order_nuls_too(self):
        # All text and ASCII: encoded by numpy in one call, whose fixed-width bytes drop trailing NULs.
        words = ["a", "a\x00", "a\x00\x00", "\x00", "", "\x01", "a\x01", "ab", "a b", "B", "abcdefghij", "abcdefghi\x00"]
        rng = random.Random(10)
        self.check([rng.choice(words) for _ in range(3000)], dtype=object)
        self.check([rng.choice(words[:2]) for _ in range(3000)], dtype=object)
        self.check([rng.choice(["x" * 30, "x" * 29 + "y", "w", "x" * 31]) for _ in range(3000)], dtype=object)

    def test_long_text_is_ranked_by_python_sort(self):
        import rnb_table_sort
        rng = random.Random(8)
        limit = rnb_table_sort.MAX_TEXT_ARRAY_BYTES
        rnb_table_sort.MAX_TEXT_ARRAY_BYTES = 100  # rows × longest above it: no fixed-width array
        try:
            self.check([None if rng.random() < 0.05 else "x" * rng.randrange(40) for _ in range(1000)], dtype=object)
        finally:
            rnb_table_sort.MAX_TEXT_ARRAY_BYTES = limit

    def test_other_python_objects_sort_as_python_sorts_them(self):
        from decimal import Decimal
        rng = random.Random(9)
        self.check([Decimal(rng.randrange(100)) / 7 for _ in range(1000)], dtype=object)
        self.check([(rng.randrange(5), rng.choice("abc")) for _ in range(1000)] + [None], dtype=object)

    def test_values_that_cannot_be_compared_sort_as_their_text(self):
        import numpy
        import rnb_table_sort
        values = [1, "a", 10, "B", 2.5] * 200
        key = rnb_table_sort.column_key(numpy.array(values, dtype=object))
        order, complete = rnb_table_sort.stable_order(key, False, len(values))
        self.assertTrue(complete)
        self.assertEqual(order.tolist(), sorted(range(len(values)), key=lambda i: str(values[i])))

    def test_ranking_text_makes_the_ascending_order_of_all_rows(self):
        import numpy
        import rnb_table_sort
        values = numpy.array(["b", None, "a", "b", "a"], dtype=object)
        key = rnb_table_sort.column_key(values)
        self.assertEqual(key.ascending.tolist(), [2, 4, 0, 3])
        # A page of one row still gets the whole order (made already), missing rows last.
        order, complete = rnb_table_sort.stable_order(key, False, 1)
        self.assertEqual((order.tolist(), complete), ([2, 4, 0, 3, 1], True))


if __name__ == "__main__":
    unittest.main()
