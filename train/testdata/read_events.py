"""Reads a TensorBoard event file with Python's protobuf runtime, not gocnn's
code, and prints each event as a JSON line: wall_time, step, file_version and
the summary's [tag, simple_value] pairs. It checks both masked CRC-32Cs of
every TFRecord with its own CRC-32C and exits non-zero on any fault.

The Event, Summary and Summary.Value messages are declared here with the
field numbers and types of TensorFlow's event.proto and summary.proto (only
the fields gocnn writes), so that protobuf parses them by those numbers.

Usage: python3 read_events.py FILE
"""

import json
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def messages():
    fdp = descriptor_pb2.FileDescriptorProto(name="event_subset.proto", package="tensorflow", syntax="proto3")
    summary = fdp.message_type.add(name="Summary")
    value = summary.nested_type.add(name="Value")
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL)
    summary.field.add(name="value", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".tensorflow.Summary.Value")
    event = fdp.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    event.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                    type_name=".tensorflow.Summary")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    desc = pool.FindMessageTypeByName("tensorflow.Event")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = crc32c_table()


def masked_crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def main(path):
    Event = messages()
    with open(path, "rb") as f:
        buf = f.read()
    off = 0
    while off < len(buf):
        header = buf[off:off + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", buf[off + 8:off + 12])
        if masked_crc32c(header) != length_crc:
            sys.exit("%s: bad length CRC at byte %d" % (path, off))
        data = buf[off + 12:off + 12 + length]
        (data_crc,) = struct.unpack("<I", buf[off + 12 + length:off + 16 + length])
        if len(data) != length or masked_crc32c(data) != data_crc:
            sys.exit("%s: bad data CRC at byte %d" % (path, off))
        off += 16 + length
        ev = Event()
        ev.ParseFromString(data)
        print(json.dumps({"wall_time": ev.wall_time, "step": ev.step, "file_version": ev.file_version,
                          "values": [[v.tag, v.simple_value] for v in ev.summary.value]}))


if __name__ == "__main__":
    main(sys.argv[1])
