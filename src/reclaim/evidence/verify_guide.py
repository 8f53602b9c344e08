"""VERIFY.md, the page in every bundle that tells a police officer or a court how to check it by hand.

The shell recipe below is run by a test (tests/evidence/test_bundle.py) on real bundles, so the
instructions an officer gets are known to work with plain openssl, sed and sha256sum.
"""

from __future__ import annotations

from typing import Final

RECIPE: Final = r"""set -e
# 1. The key's fingerprint: compare it with the one you were given separately (phone, letter).
#    密钥指纹：与另行收到的指纹（电话、信件）核对。
openssl pkey -pubin -in public-key.pem -outform DER | tail -c 32 | openssl dgst -sha256 -r

# 2. manifest.json is signed by that key. / manifest.json 由该密钥签名。
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig

# 3. Every file is exactly the one the manifest lists (SHA-256). / 每个文件的 SHA-256 与清单一致。
sed 's/.*"files":{\([^}]*\)}.*/\1/' manifest.json | tr ',' '\n' \
  | sed 's/^"\([^"]*\)":"\([0-9a-f]*\)"$/\2  \1/' | sha256sum -c --quiet

# 4. The tree head (number of entries, root hash, time) is signed. / 树头（条目数、根哈希、时间）已签名。
size=$(sed 's/.*"tree_size":\([0-9]*\).*/\1/' manifest.json)
tree_head=tree-heads/$(printf '%012d' "$size")
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in "$tree_head.json" -sigfile "$tree_head.sig"
root=$(sed 's/.*"root_hash":"\([0-9a-f]*\)".*/\1/' "$tree_head.json")

# 5. Every entry is in the signed tree (RFC 6962):
#    leaf = SHA-256(0x00 || line), node = SHA-256(0x01 || left || right).
#    每个条目都在已签名的树中（RFC 6962）。
node() { { printf '\001'; printf '%s%s' "$1" "$2" | xxd -r -p; } | openssl dgst -sha256 -r | cut -c1-64; }
n=0
while [ "$n" -lt "$size" ]; do
  line=$((n + 1))
  r=$( { printf '\000'; sed -n "${line}p" entries.jsonl | tr -d '\n'; } \
    | openssl dgst -sha256 -r | cut -c1-64)
  path=$(sed -n "${line}p" proofs/inclusion.jsonl \
    | sed 's/.*"audit_path":\[\([^]]*\)\].*/\1/' | tr -d '"' | tr ',' ' ')
  fn=$n; sn=$((size - 1))
  for p in $path; do
    if [ $((fn % 2)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
      r=$(node "$p" "$r")
      if [ $((fn % 2)) -eq 0 ]; then
        while [ "$fn" -ne 0 ] && [ $((fn % 2)) -eq 0 ]; do fn=$((fn / 2)); sn=$((sn / 2)); done
      fi
    else
      r=$(node "$r" "$p")
    fi
    fn=$((fn / 2)); sn=$((sn / 2))
  done
  if [ "$r" != "$root" ] || [ "$sn" -ne 0 ]; then
    echo "entry $n (line $line): NOT in the signed tree"; exit 1
  fi
  n=$((n + 1))
done
echo "OK: all $size entries are in the signed tree $root"
"""

VERIFY_GUIDE: Final = f"""# 如何核验本证据包 / How to verify this evidence bundle

本证据包由 Reclaim 生成。核验时不需要信任 Reclaim，也不需要安装它：只需要 SHA-256 和 Ed25519
签名验证工具，例如 `openssl`（3.0 或更新版本）、`sed`、`sha256sum` 和 `xxd`。

This bundle was made by Reclaim. Checking it needs neither trust in Reclaim nor Reclaim itself:
only SHA-256 and an Ed25519 signature verifier, such as `openssl` (3.0 or later), `sed`,
`sha256sum` and `xxd`.

## 包里有什么 / What is inside

- `entries.jsonl`：案件证据日志的全部条目（发现记录和保管链事件），每行一条规范 JSON。
  The case's log: every sighting and chain-of-custody event, one canonical JSON object a line.
- `tree-heads/*.json` 与 `.sig`：签名的树头（条目数、Merkle 根哈希、毫秒时间戳）及其 Ed25519 签名。
  Signed tree heads (number of entries, Merkle root, time in milliseconds) and their signatures.
- `proofs/inclusion.jsonl`：每个条目的包含证明；`proofs/consistency.jsonl`：本日志延续此前导出的
  每个树头的一致性证明（RFC 6962 / RFC 9162）。
  An inclusion proof per entry; consistency proofs that this log extends each earlier exported head.
- `public-key.pem`：签名公钥。`manifest.json`：列出其他每个文件的 SHA-256，并由 `manifest.sig` 签名。
  The public key; the manifest lists the SHA-256 of every other file and is signed (`manifest.sig`).
- `captures/`：截图和网页存档。`.sealed` 文件用 AES-256-GCM 加密（前 12 字节为 nonce），密钥另行提供；
  `-blurred.jpg` 是模糊处理后的图片，只用于说明，不能与条目中的哈希值比对。
  Captures: `.sealed` files are AES-256-GCM encrypted (the first 12 bytes are the nonce) with a
  key given to you separately; `-blurred.jpg` files are blurred for sharing and cannot be checked
  against the entry's hash.
- 本文件 `VERIFY.md` 不在签名范围内：它只是说明。This file is advice and is not signed.

## 步骤 / Steps

先解压到一个空文件夹，在该文件夹中运行以下命令。任何一步失败（`set -e` 会立即停止），都说明证据包
被改动过或不完整，请勿采信，并向发送方索取原件。

Unzip into an empty folder and run the following there. If any step fails (`set -e` stops at
once), the bundle was altered or is incomplete: do not rely on it; ask the sender for the original.

```sh
{RECIPE}```

第 1 步打印的指纹必须与你另行收到的指纹一致，否则任何人都可以用自己的密钥重新签名一个假证据包。
第 2 步和第 4 步应打印 `Signature Verified Successfully`。

The fingerprint printed by step 1 must equal the one you received separately; otherwise anyone
could re-sign a forged bundle with a key of their own. Steps 2 and 4 print
`Signature Verified Successfully`.

如果包里有 `tree-heads/*.tsr`，那是时间戳机构（RFC 3161）对树头的时间戳；用该机构的根证书核验：
If the bundle has `tree-heads/*.tsr` files, they are RFC 3161 time-stamps of the tree heads by a
time-stamping authority; check each with the authority's root certificate:

```
openssl ts -verify -data tree-heads/000000000003.json -in tree-heads/000000000003-0.tsr -CAfile TSA-ROOT.pem
```

Windows 上可用 `certutil -hashfile 文件 SHA256` 计算 SHA-256。On Windows, `certutil -hashfile FILE SHA256`
computes a SHA-256. With Reclaim installed, `reclaim verify BUNDLE.zip` runs every check, including
the consistency proofs (`--extends EARLIER.zip`).

## 这证明什么，不证明什么 / What this proves and what it does not

证明：这些条目自树头签名的时间起未被改动、删除、重排或增补；它们由持有该私钥的安装记录；截图的
哈希值在记录时已写入日志。不证明：网页内容本身真实、截图之前发生的事情，或签名时间之外的可信时间
（如需可信时间，请使用 RFC 3161 时间戳）。

It proves that the entries have not been changed, removed, reordered or added to since the tree
head was signed, that they were recorded by the installation holding the private key, and that
each capture's hash was in the log when it was recorded. It does not prove that what a page
showed was true, anything that happened before the capture, or the time itself beyond the
recorder's clock (an RFC 3161 time-stamp anchors that).
"""
