//go:build !cgo

package nativework

import (
	"errors"
	"testing"
)

func TestWithoutCgoStartRefusesWithAReason(t *testing.T) {
	var flag int64
	if _, err := Start(1, &flag); !errors.Is(err, ErrNoCgo) || Available {
		t.Fatalf("Start = %v (Available %v), want ErrNoCgo", err, Available)
	}
}
