"""Programs with Python control flow inside tf.function, written once for both TensorFlow
2.21 (tools/record_autograph.py records what it does) and tfteach (tests/test_autograph.py
checks the same results). Each case takes the `tf` module and returns (function, calls):
every call is a tuple of arguments (NumPy values become tensors, Python values stay Python).
The source of these functions is what AutoGraph converts, so it must stay a file of its own.
"""
import numpy as np

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


f32 = np.float32
i32 = np.int32


@case
def if_tensor(tf):
    @tf.function
    def f(x):
        if x > 0:
            y = x * 2.0
        else:
            y = -x
        return y
    return f, [(f32(3),), (f32(-4),)]


@case
def elif_chain(tf):
    @tf.function
    def f(x):
        if x < 0:
            kind = tf.constant(-1)
        elif x < 10:
            kind = tf.constant(1)
        else:
            kind = tf.constant(2)
        return kind
    return f, [(f32(-5),), (f32(5),), (f32(50),)]


@case
def python_flag(tf):
    @tf.function
    def f(x, double):
        if double:
            x = x * 2
        return x
    return f, [(f32(3), True), (f32(3), False)]


@case
def while_collatz(tf):
    @tf.function
    def f(n):
        steps = 0
        while n > 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        return steps
    return f, [(i32(6),), (i32(27),), (i32(1),)]


@case
def for_range_break_continue(tf):
    @tf.function
    def f(limit):
        total = tf.constant(0)
        for i in tf.range(100):
            if i % 2 == 0:
                continue
            if i > limit:
                break
            total += i
        return total
    return f, [(i32(9),), (i32(0),)]


@case
def for_python_range_tensor_bound(tf):
    @tf.function
    def f(n):
        acc = tf.constant(1.0)
        for _ in range(n):
            acc = acc * 2.0
        return acc
    return f, [(i32(5),), (i32(0),)]


@case
def for_python_range_unrolled(tf):
    @tf.function
    def f(x):
        for i in range(3):
            x = x + i
        return x
    return f, [(f32(1),)]


@case
def for_over_tensor_rows(tf):
    @tf.function
    def f(m):
        s = tf.zeros([2])
        for row in m:
            s = s + row * row
        return s
    return f, [(np.array([[1, 2], [3, 4], [5, 6]], np.float32),)]


@case
def for_python_list(tf):
    @tf.function
    def f(x):
        for w in [1.0, 10.0, 100.0]:
            x = x * w
        return x
    return f, [(f32(2),)]


@case
def return_inside_loop(tf):
    @tf.function
    def f(values, threshold):
        for i in tf.range(tf.size(values)):
            if values[i] > threshold:
                return i
        return -1
    v = np.array([1, 5, 2, 9], np.float32)
    return f, [(v, f32(4)), (v, f32(100))]


@case
def return_both_branches(tf):
    @tf.function
    def f(x):
        if x > 0:
            return x
        return -x
    return f, [(f32(-2),), (f32(7),)]


@case
def logical_operators(tf):
    @tf.function
    def f(a, b):
        both = a > 0 and b > 0
        either = a > 0 or b > 0
        neither = not (a > 0 or b > 0)
        return both, either, neither
    return f, [(i32(1), i32(-1)), (i32(1), i32(2)), (i32(-1), i32(-2))]


@case
def lazy_and(tf):
    counter = tf.Variable(0)

    @tf.function
    def f(x):
        ok = x > 0 and counter.assign_add(1) > 0
        return ok, counter.read_value()
    return f, [(f32(-1),), (f32(1),), (f32(-2),)]


@case
def conditional_expression(tf):
    @tf.function
    def f(x):
        return x if x > 0 else -10 * x
    return f, [(f32(3),), (f32(-3),)]


@case
def nested_loops_inner_break(tf):
    @tf.function
    def f(n):
        count = 0
        for i in tf.range(n):
            j = 0
            while j < n:
                if j > i:
                    break
                count += 1
                j += 1
        return count
    return f, [(i32(4),)]


@case
def dataset_loop(tf):
    @tf.function
    def f(ds):
        total = tf.constant(0, tf.int64)
        for x in ds:
            if x > 6:
                break
            total += x * x
        return total
    return f, [(tf.data.Dataset.range(10),), (tf.data.Dataset.range(3),)]


@case
def dataset_loop_tuples(tf):
    @tf.function
    def f(ds):
        s = tf.constant(0.0)
        for a, b in ds:
            s += a * b
        return s
    ds = tf.data.Dataset.from_tensor_slices((np.array([1, 2, 3], np.float32),
                                             np.array([4, 5, 6], np.float32)))
    return f, [(ds,)]


@case
def defined_in_loop_used_after(tf):
    @tf.function
    def f(n):
        for i in tf.range(n):
            last = i * 10
        return last
    return f, [(i32(3),), (i32(0),)]


@case
def none_before_loop(tf):
    @tf.function
    def f(n):
        last = None
        for i in tf.range(n):
            last = i
        return last
    return f, [(i32(4),)]


@case
def helper_function_converted(tf):
    def relu_like(x):
        if x > 0:
            return x
        return 0.0 * x

    @tf.function
    def f(x):
        return relu_like(x) + 1.0
    return f, [(f32(-3),), (f32(3),)]


@case
def shape_invariants(tf):
    @tf.function
    def f(n):
        v = tf.zeros([1])
        for _ in tf.range(n):
            tf.autograph.experimental.set_loop_options(
                shape_invariants=[(v, tf.TensorShape([None]))])
            v = tf.concat([v, [1.0]], 0)
        return v
    return f, [(i32(3),)]


@case
def variable_in_loop(tf):
    v = tf.Variable(0.0)

    @tf.function
    def f(n):
        i = 0
        while i < n:
            v.assign_add(1.5)
            i += 1
        return v.read_value()
    return f, [(i32(4),)]


@case
def print_in_function(tf):
    @tf.function
    def f(x):
        print("value:", x)
        return x + 1
    return f, [(i32(41),)]


@case
def len_of_tensor(tf):
    @tf.function
    def f(x):
        n = len(x)
        total = 0.0
        for i in range(len(x)):
            total += x[i]
        return n, total
    return f, [(np.array([1, 2, 3], np.float32),)]


# --- errors -------------------------------------------------------------------------------

@case
def error_defined_in_main_branch_only(tf):
    @tf.function
    def f(x):
        if x > 0:
            y = x * 2
        return y
    return f, [(f32(1),)]


@case
def error_defined_in_else_branch_only(tf):
    @tf.function
    def f(x):
        if x > 0:
            pass
        else:
            y = x * 2
        return y
    return f, [(f32(1),)]


@case
def error_branch_dtypes(tf):
    @tf.function
    def f(x):
        if x > 0:
            y = 1
        else:
            y = 1.0
        return y
    return f, [(f32(1),)]


@case
def error_return_in_one_branch(tf):
    @tf.function
    def f(x):
        if x > 0:
            return x
    return f, [(f32(1),)]


@case
def error_loop_dtype_changes(tf):
    @tf.function
    def f(n):
        x = tf.constant(0)
        i = 0
        while i < n:
            x = tf.cast(x, tf.float32) + 1.5
            i += 1
        return x
    return f, [(i32(3),)]


@case
def error_loop_shape_changes(tf):
    @tf.function
    def f(n):
        x = tf.zeros([1])
        for _ in tf.range(n):
            x = tf.concat([x, [1.0]], 0)
        return x
    return f, [(i32(3),)]


@case
def error_condition_not_bool(tf):
    @tf.function
    def f(x):
        if x:
            x = x + 1
        return x
    return f, [(f32(1),)]


@case
def error_unconverted_tensor_if(tf):
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x
    return f, [(f32(1),)]


@case
def dataset_training_loop(tf):
    w = tf.Variable([[0.5], [-0.25]])
    b = tf.Variable([0.0])
    opt = tf.keras.optimizers.SGD(0.01)
    xs = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], np.float32)
    ys = np.array([[1], [2], [3], [4]], np.float32)
    ds = tf.data.Dataset.from_tensor_slices((xs, ys)).batch(2)

    @tf.function
    def train(ds):
        loss = tf.constant(0.0)
        steps = 0
        for x, y in ds:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((tf.matmul(x, w) + b - y) ** 2)
            grads = tape.gradient(loss, [w, b])
            opt.apply_gradients(zip(grads, [w, b]))
            steps += 1
        return loss, steps, w.read_value(), b.read_value()
    return train, [(ds,), (ds,)]


@case
def error_dataset_loop_needs_defined_variables(tf):
    @tf.function
    def f(ds):
        for x in ds:
            last = x
        return last
    return f, [(tf.data.Dataset.range(3),)]


@case
def nonlocal_in_nested_function(tf):
    @tf.function
    def f(x):
        count = 0

        def bump(v):
            nonlocal count
            if v > 0:
                count += 1
            return v
        for i in range(3):
            bump(x - i)
        return count
    return f, [(i32(2),)]


@case
def for_else_runs_unconverted(tf):
    @tf.function
    def f(x):
        for w in [2.0, 3.0]:
            x = x * w
        else:
            x = x + 1.0
        return x
    return f, [(f32(1),)]


@case
def error_python_if_leaves_variable_unset(tf):
    @tf.function
    def f(x, flag):
        if flag:
            y = x
        return y
    return f, [(f32(1), False), (f32(1), True)]


@case
def structured_loop_variables(tf):
    @tf.function
    def f(n):
        pair = (tf.constant(0), tf.constant(1))
        d = {"a": tf.constant(1.0), "b": tf.constant(0.0)}
        for _ in tf.range(n):
            pair = (pair[1], pair[0] + pair[1])
            d = {"a": d["a"] * 2.0, "b": d["b"] + d["a"]}
        return pair, d
    return f, [(i32(10),)]


@case
def range_forms(tf):
    @tf.function
    def f(step):
        down = 0
        for i in tf.range(10, 0, -3):
            down += i
        digits = 0
        for i in range(0, 10, step):
            digits = digits * 10 + i
        return down, digits
    return f, [(i32(4),)]


@case
def dataset_enumerate_and_zip(tf):
    @tf.function
    def f(a, b):
        s = tf.constant(0, tf.int64)
        for i, x in enumerate(a):
            s += i * x
        for x, y in zip(a, b):
            s += x * y
        return s
    return f, [(tf.data.Dataset.range(5, 8), tf.data.Dataset.range(3))]


@case
def while_break_and_continue(tf):
    @tf.function
    def f(n):
        i = 0
        s = 0
        while i < n:
            i += 1
            if i % 3 == 0:
                continue
            if i * i > 50:
                break
            s += i
        return i, s
    return f, [(i32(100),), (i32(4),)]


@case
def error_none_in_one_branch(tf):
    @tf.function
    def f(x):
        y = None
        if x > 0:
            y = x
        return y
    return f, [(f32(1),)]


@case
def attributes_and_items_through_cond(tf):
    class Acc(tf.Module):
        def __init__(self):
            self.total = tf.constant(0.0)
            self.hist = {"last": tf.constant(0.0)}

        @tf.function
        def add(self, x):
            if x > 0:
                self.total = self.total + x
                self.hist["last"] = x
            return self.total, self.hist["last"]
    acc = Acc()
    return (lambda x: acc.add(x)), [(f32(2),), (f32(-1),)]


@case
def attribute_loop_variable(tf):
    class Box:
        pass
    box = Box()

    @tf.function
    def f(n):
        box.count = tf.constant(0)
        for i in tf.range(n):
            box.count += i
        return box.count
    return f, [(i32(5),)]


@case
def dataset_functions_are_converted(tf):
    def scale_big(x):
        if x > 2:
            return x * 10
        return x

    ds = tf.data.Dataset.range(6).map(scale_big).filter(lambda x: x % 2 == 0 or x > 3)

    def total():
        # reduce runs eagerly; its function is traced (and converted) by tf.data
        return ds.reduce(tf.constant(0, tf.int64), lambda s, x: s + x if x > 1 else s)
    return total, [()]


@case
def lambda_as_function(tf):
    f = tf.function(lambda x: x * 2.0 if x > 0 else x - 1.0)
    return f, [(f32(3),), (f32(-3),)]


@case
def gradient_of_variable_read_in_loop(tf):
    w = tf.Variable([[0.5, -0.3], [0.2, 0.4]])

    @tf.function
    def loss_fn(n):
        h = tf.constant([[1.0, 2.0]])
        for _ in tf.range(n):
            h = tf.tanh(tf.matmul(h, w))
        return tf.reduce_sum(tf.square(h - 0.5))

    def f(n):
        with tf.GradientTape() as tape:
            loss = loss_fn(n)
        return loss, tape.gradient(loss, w)
    return f, [(i32(3),), (i32(1),)]


@case
def map_fn_converts_its_function(tf):
    def magnitude(x):
        if x > 0:
            return x
        return -x

    @tf.function
    def f(xs):
        steps = tf.while_loop(lambda i: i < 3,
                              lambda i: i + tf.cast(magnitude(tf.constant(-1.0)), tf.int32),
                              [0])
        return tf.map_fn(magnitude, xs), steps
    return f, [(np.array([1.0, -2.0, 3.5], np.float32),)]


@case
def lists_feature_tensor_array_append(tf):
    @tf.function(experimental_autograph_options=tf.autograph.experimental.Feature.LISTS)
    def f(nums):
        squares = tf.TensorArray(tf.int64, size=0, dynamic_size=True)
        for x in nums:
            squares.append(x * x)
        return squares.stack()
    return f, [(np.array([1, 2, 3], np.int64),)]
