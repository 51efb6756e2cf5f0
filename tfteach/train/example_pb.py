"""`tf.train.Example` and its family: TensorFlow's `feature.proto` and `example.proto`
messages (BytesList, FloatList, Int64List, Feature, Features, FeatureList, FeatureLists,
Example, SequenceExample), with TF's field names, numbers and packing, so that they
serialize to TF's bytes and parse TF's.

TensorBoard's copies of TF's messages leave these two files out, so they are declared here
from the shape of TF's published .proto files, in proto package `tfteach` (a second
`tensorflow.Example` in the process would collide with TF's own if both were imported).
Only the package shows: in a message class's full name and in protobuf's error messages;
the wire format and the text format do not name it.

A map (`Features.feature`, `FeatureLists.feature_list`) serializes in an order protobuf's upb
runtime picks per process, in TF as here; `SerializeToString(deterministic=True)` sorts the
keys.
"""
import types

__all__ = ["BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
           "FeatureLists", "Example", "SequenceExample"]

_MESSAGES = []


def messages():
    """The message classes, declared on first use (protobuf is the `formats` extra)."""
    if not _MESSAGES:
        try:
            from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
        except ImportError:
            raise ImportError("tf.train.Example and its family are protobuf messages: "
                              "pip install 'tfteach[formats]'") from None
        pool = descriptor_pool.Default()
        for f in _files(descriptor_pb2):
            try:
                pool.FindFileByName(f.name)
            except KeyError:
                pool.Add(f)
        found = {}
        for fname in ("tfteach/feature.proto", "tfteach/example.proto"):
            fd = pool.FindFileByName(fname)
            for name, desc in fd.message_types_by_name.items():
                cls = message_factory.GetMessageClass(desc)
                cls.__module__ = __name__
                found[name] = cls
        _MESSAGES.append(types.SimpleNamespace(**found))
    return _MESSAGES[0]


def _files(descriptor_pb2):
    F = descriptor_pb2.FieldDescriptorProto
    OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED

    def message(f, name, fields, nested=()):
        m = f.message_type.add(name=name)
        for fname, number, ftype, label, type_name, oneof in fields:
            fld = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fld.type_name = type_name
            if oneof is not None:
                fld.oneof_index = oneof
        for entry_name, value_type in nested:
            # map<string, V>: a nested entry message marked map_entry
            e = m.nested_type.add(name=entry_name)
            e.field.add(name="key", number=1, type=F.TYPE_STRING, label=OPT)
            e.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=OPT,
                        type_name=value_type)
            e.options.map_entry = True
        return m

    feature = descriptor_pb2.FileDescriptorProto(name="tfteach/feature.proto",
                                                 package="tfteach", syntax="proto3")
    message(feature, "BytesList", [("value", 1, F.TYPE_BYTES, REP, None, None)])
    fl = message(feature, "FloatList", [("value", 1, F.TYPE_FLOAT, REP, None, None)])
    il = message(feature, "Int64List", [("value", 1, F.TYPE_INT64, REP, None, None)])
    for m in (fl, il):                  # TF's lists say [packed = true]
        m.field[0].options.packed = True
    kind = message(feature, "Feature", [
        ("bytes_list", 1, F.TYPE_MESSAGE, OPT, ".tfteach.BytesList", 0),
        ("float_list", 2, F.TYPE_MESSAGE, OPT, ".tfteach.FloatList", 0),
        ("int64_list", 3, F.TYPE_MESSAGE, OPT, ".tfteach.Int64List", 0)])
    kind.oneof_decl.add(name="kind")
    message(feature, "Features", [("feature", 1, F.TYPE_MESSAGE, REP,
                                   ".tfteach.Features.FeatureEntry", None)],
            nested=[("FeatureEntry", ".tfteach.Feature")])
    message(feature, "FeatureList", [("feature", 1, F.TYPE_MESSAGE, REP, ".tfteach.Feature",
                                      None)])
    message(feature, "FeatureLists", [("feature_list", 1, F.TYPE_MESSAGE, REP,
                                       ".tfteach.FeatureLists.FeatureListEntry", None)],
            nested=[("FeatureListEntry", ".tfteach.FeatureList")])

    example = descriptor_pb2.FileDescriptorProto(name="tfteach/example.proto",
                                                 package="tfteach", syntax="proto3",
                                                 dependency=["tfteach/feature.proto"])
    message(example, "Example", [("features", 1, F.TYPE_MESSAGE, OPT, ".tfteach.Features",
                                  None)])
    message(example, "SequenceExample", [
        ("context", 1, F.TYPE_MESSAGE, OPT, ".tfteach.Features", None),
        ("feature_lists", 2, F.TYPE_MESSAGE, OPT, ".tfteach.FeatureLists", None)])
    return [feature, example]


def __getattr__(name):
    if name in __all__:
        return getattr(messages(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
