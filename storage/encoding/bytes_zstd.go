package encoding

// bytes-zstd: a bytes stream compressed with zstd (text with long shared
// substrings: json, log lines, high-cardinality names). After the header
// (encoding, count n ≥ 1):
//
//	┌──────────────────┬─────────────────────┬──────────────────────────────┐
//	│ rawLen <uvarint> │ frameLen <uvarint>  │ zstd frame <frameLen bytes>  │
//	└──────────────────┴─────────────────────┴──────────────────────────────┘
//
// The frame decompresses to exactly rawLen bytes holding one bytes-plain
// or bytes-dict stream of n values. rawLen is at most zstdMaxRatio ×
// frameLen (the encoder never writes more), which bounds what a decoder
// allocates for a corrupt frame.

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

const (
	// zstdMinInput: smaller streams are not worth a zstd frame.
	zstdMinInput = 64
	// zstdMaxRatio bounds rawLen/frameLen so a corrupt frame cannot make
	// the decoder allocate much more than its own size.
	zstdMaxRatio = 1024
	// zstdMinGainPercent: zstd is used only when it saves at least this
	// much, since it costs decode time on every scan.
	zstdMinGainPercent = 10
	// zstdCompactLevel is the level of compact encodings (compressed
	// chunks, written once): smaller frames, the same decoder.
	zstdCompactLevel = zstd.SpeedBestCompression
)

// The zstd encoder and decoder are expensive to create; one of each
// serves all goroutines (EncodeAll and DecodeAll are safe for concurrent
// use).
var (
	zstdOnce        sync.Once
	zstdEnc         *zstd.Encoder
	zstdDec         *zstd.Decoder
	zstdCompactOnce sync.Once
	zstdCompactEnc  *zstd.Encoder
)

// zstdCompact returns the encoder of compact encodings.
func zstdCompact() *zstd.Encoder {
	zstdCompactOnce.Do(func() {
		var err error
		zstdCompactEnc, err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstdCompactLevel),
			zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			panic(fmt.Sprintf("BUG: zstd encoder: %v", err))
		}
	})
	return zstdCompactEnc
}

func zstdCodecs() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		var err error
		zstdEnc, err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			panic(fmt.Sprintf("BUG: zstd encoder: %v", err))
		}
		zstdDec, err = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderMaxMemory(zstdMaxRatio*MaxValues))
		if err != nil {
			panic(fmt.Sprintf("BUG: zstd decoder: %v", err))
		}
	})
	return zstdEnc, zstdDec
}

// maybeZstd replaces the bytes stream dst[start:] of n values by its zstd
// form when that is clearly smaller; compact uses the stronger level and
// takes any gain.
func maybeZstd(dst []byte, start, n int, compact bool) []byte {
	raw := dst[start:]
	if len(raw) < zstdMinInput {
		return dst
	}
	enc, _ := zstdCodecs()
	minGain := zstdMinGainPercent
	if compact {
		enc, minGain = zstdCompact(), 0
	}
	frame := enc.EncodeAll(raw, nil)
	size := 1 + uvarintLen(uint64(n)) + uvarintLen(uint64(len(raw))) + uvarintLen(uint64(len(frame))) + len(frame)
	if size*100 > len(raw)*(100-minGain) || len(raw) > zstdMaxRatio*len(frame) {
		return dst
	}
	// raw aliases dst, so build the new stream after it and move it down.
	mid := len(dst)
	dst = appendHeader(dst, BytesZstd, n)
	dst = binary.AppendUvarint(dst, uint64(len(raw)))
	dst = binary.AppendUvarint(dst, uint64(len(frame)))
	dst = append(dst, frame...)
	return dst[:start+copy(dst[start:], dst[mid:])]
}

func decodeBytesZstd(src []byte, n int, dst []string) ([]string, []byte, error) {
	if n == 0 {
		return dst[:0], src, nil
	}
	rawLen, src, err := readUvarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("bytes-zstd raw length: %w", err)
	}
	frameLen, src, err := readUvarint(src)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("bytes-zstd frame length: %w", err)
	}
	if frameLen > uint64(len(src)) {
		return dst[:0], nil, corruptf("bytes-zstd: frame of %d bytes, have %d", frameLen, len(src))
	}
	if rawLen > zstdMaxRatio*frameLen {
		return dst[:0], nil, corruptf("bytes-zstd: raw length %d for a %d byte frame", rawLen, frameLen)
	}
	_, dec := zstdCodecs()
	// The strings point into raw, so it is a fresh allocation per stream.
	raw, err := dec.DecodeAll(src[:frameLen], make([]byte, 0, rawLen))
	if err != nil {
		return dst[:0], nil, corruptf("bytes-zstd: %v", err)
	}
	if uint64(len(raw)) != rawLen {
		return dst[:0], nil, corruptf("bytes-zstd: frame holds %d bytes, want %d", len(raw), rawLen)
	}
	if _, m, _, err := readHeader(raw); err != nil || m != n {
		return dst[:0], nil, corruptf("bytes-zstd: inner stream does not hold %d values", n)
	}
	dst, rest, err := decodeBytes(raw, dst, true, true)
	if err != nil {
		return dst[:0], nil, fmt.Errorf("bytes-zstd: %w", err)
	}
	if len(rest) != 0 {
		return dst[:0], nil, corruptf("bytes-zstd: %d bytes after inner stream", len(rest))
	}
	return dst, src[frameLen:], nil
}
