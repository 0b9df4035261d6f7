package contract

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Encode returns the case's value as a peer would send it: proto.Marshal's
// default options, so map entries come in no particular order.
func (c *Case) Encode() ([]byte, error) {
	b, err := proto.Marshal(c.Value)
	if err != nil {
		return nil, fileError(c.TextPath, "cannot encode the described value: %v", err)
	}
	return b, nil
}

// Reencode decodes data as the message type name and encodes it again,
// deterministically. Fields the type does not know are kept as unknown
// fields and written back after the known ones, so bytes from a later
// schema survive a pass through this one.
func Reencode(name protoreflect.FullName, data []byte) ([]byte, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("unknown message type %q", name)
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(data, m); err != nil {
		if offset, c := locateCorruption(data, m.ProtoReflect().Descriptor()); c != nil {
			return nil, fmt.Errorf("input does not decode as %s: byte %d: %s", name, offset, c.problem)
		}
		return nil, fmt.Errorf("input does not decode as %s: %s", name, trimProto(err))
	}
	return Deterministic.Marshal(m)
}
