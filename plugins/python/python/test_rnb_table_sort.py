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
        for descending in (False, True):
            want = self.expected(values, descending)
            for needed in (1, 5, 50, len(values)):
                order, complete = rnb_table_sort.stable_order(array, descending, needed)
                self.assertEqual(order[:needed].tolist(), want[:needed], (descending, needed))
                if complete:
                    self.assertEqual(order.tolist(), want)
            self.assertTrue(rnb_table_sort.stable_order(array, descending, len(values))[1])

    def test_integers_with_many_ties(self):
        rng = random.Random(4)
        self.check([rng.randrange(20) for _ in range(2000)])

    def test_floats_with_nan_last_both_ways(self):
        rng = random.Random(5)
        self.check([float("nan") if rng.random() < 0.1 else float(rng.randrange(50)) for _ in range(2000)])

    def test_text_and_none(self):
        rng = random.Random(6)
        self.check([None if rng.random() < 0.05 else f"w{rng.randrange(300)}" for _ in range(2000)], dtype=object)

    def test_values_that_cannot_be_compared_raise_type_error(self):
        import numpy
        import rnb_table_sort
        with self.assertRaises(TypeError):
            rnb_table_sort.stable_order(numpy.array([1, "a"] * 500, dtype=object), False, 5)


if __name__ == "__main__":
    unittest.main()
