"""The Merkle tree is RFC 9162's: Certificate Transparency's test vectors, and proofs for every leaf."""

import hashlib

import pytest

from shilian.ledger import merkle

# certificate-transparency merkle_tree_test.cc: leaf inputs and the roots of their first n
INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _leaf(data_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(data_hex)).digest()


def _reference(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, recursively: split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_reference(leaves[:k]), _reference(leaves[k:]))


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_certificate_transparency(n):
    assert merkle.root([_leaf(x) for x in INPUTS[:n]]).hex() == ROOTS[n - 1]


def test_the_empty_tree_is_the_hash_of_nothing():
    assert merkle.root([]).hex() == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 13, 33])
def test_every_leaf_climbs_to_the_root_and_a_wrong_leaf_does_not(n):
    leaves = [merkle.leaf_hash(merkle.leaf_text(e, e * 3, f"{e:064x}")) for e in range(1, n + 1)]
    expected = _reference(leaves)
    assert merkle.root(leaves) == expected
    for i in range(n):
        steps = merkle.path(leaves, i)
        assert merkle.climb(leaves[i], steps) == expected
        assert steps == [] or steps[-1].parent == expected.hex()
        assert merkle.climb(merkle.leaf_hash("forged"), steps) != expected
    with pytest.raises(IndexError):
        merkle.path(leaves, n)


def test_leaf_and_node_hashes_are_domain_separated():
    text = merkle.leaf_text(7, 12, "ab" * 32)
    assert text == "shilian-ledger-head/1|7|12|" + "ab" * 32
    assert merkle.leaf_hash(text) == hashlib.sha256(b"\x00" + text.encode()).digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
