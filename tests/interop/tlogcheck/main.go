// Command tlogcheck verifies an ExecFlow audit log with an independent implementation:
// Go's golang.org/x/mod/sumdb/note (signed notes, Ed25519 verifier keys) and
// golang.org/x/mod/sumdb/tlog (RFC 6962/9162 tree hashes and proofs).
//
// usage: tlogcheck PREFIX VKEY TOKEN   (PREFIX like http://127.0.0.1:8000/log)
//
// It fetches the checkpoint, checks its signature, reads every entry bundle, recomputes
// the tree, compares the root and the level-0 hash tiles, and checks the server's
// inclusion proof for every entry. It prints "ok N" or exits 1 with the reason.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var prefix, token string

func get(path string) []byte {
	req, err := http.NewRequest("GET", prefix+"/"+path, nil)
	check(err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	check(err)
	if resp.StatusCode != 200 {
		fail("GET %s: %d", path, resp.StatusCode)
	}
	return body
}

func index(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

func tilePath(kind string, n, width int64) string {
	p := "tile/" + kind + "/" + index(n)
	if width < 256 {
		p += ".p/" + strconv.FormatInt(width, 10)
	}
	return p
}

type memory []tlog.Hash

func (m memory) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m[x]
	}
	return out, nil
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: tlogcheck PREFIX VKEY TOKEN")
	}
	prefix, token = strings.TrimRight(os.Args[1], "/"), os.Args[3]
	verifier, err := note.NewVerifier(os.Args[2])
	check(err)
	msg, err := note.Open(get("checkpoint"), note.VerifierList(verifier))
	check(err)
	lines := strings.Split(msg.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint body %q", msg.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	check(err)
	root, err := base64.StdEncoding.DecodeString(lines[2])
	check(err)

	var stored memory
	var leaves []tlog.Hash
	for bundle := int64(0); bundle*256 < size; bundle++ {
		width := size - bundle*256
		if width > 256 {
			width = 256
		}
		data := get(tilePath("entries", bundle, width))
		tile := get(tilePath("0", bundle, width))
		for i := int64(0); i < width; i++ {
			if len(data) < 2 {
				fail("bundle %d is short", bundle)
			}
			n := int(binary.BigEndian.Uint16(data))
			entry := data[2 : 2+n]
			data = data[2+n:]
			var js map[string]any
			check(json.Unmarshal(entry, &js))
			leaf := tlog.RecordHash(entry)
			if !bytes.Equal(leaf[:], tile[i*32:(i+1)*32]) {
				fail("tile hash of entry %d differs", bundle*256+i)
			}
			hashes, err := tlog.StoredHashes(bundle*256+i, entry, stored)
			check(err)
			stored = append(stored, hashes...)
			leaves = append(leaves, leaf)
		}
	}
	tree, err := tlog.TreeHash(size, stored)
	check(err)
	if !bytes.Equal(tree[:], root) {
		fail("recomputed root differs from the checkpoint")
	}
	for i := int64(0); i < size; i++ {
		var proof struct{ Hashes []string }
		check(json.Unmarshal(get(fmt.Sprintf("proof/inclusion?index=%d&size=%d", i, size)), &proof))
		var path tlog.RecordProof
		for _, h := range proof.Hashes {
			raw, err := base64.StdEncoding.DecodeString(h)
			check(err)
			var hash tlog.Hash
			copy(hash[:], raw)
			path = append(path, hash)
		}
		var want tlog.Hash
		copy(want[:], root)
		check(tlog.CheckRecord(path, size, want, i, leaves[i]))
	}
	fmt.Printf("ok %d\n", size)
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}
