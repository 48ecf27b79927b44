"""The language model as a tool: training, early stopping, checkpoints, Ctrl-C, files, queries."""

import zipfile

import numpy as np
import pytest

from sentclf import archive as bundle
from sentclf.classify import modelfile
from sentclf.errors import ConfigError, ModelFileError
from sentclf.lm import lmfile, training
from sentclf.lm.config import LMConfig, auto_batch_size
from sentclf.lm.stream import Stream, from_encoded

ANIMALS = ["cat", "dog"]
# "the dog gets" never occurs: the model must borrow what it learned for the cat (the lecture's example)
PETS = [
    f"the {a} {v} ."
    for a in ANIMALS
    for v in ["is asleep", "is hungry", "sat on the mat", "ran to the door", "wants to play"]
] + ["i have to make sure that the cat gets fed .", "we make sure the cat gets fed .", "the cat gets fed at noon ."]
TINY = LMConfig(window=3, dim=16, hidden=32, epochs=60, batch_size=16, min_count=1, holdout=0, lr=0.01)


@pytest.fixture(scope="module")
def pets_model():
    vocab, counts, train, _ = training.split_text(PETS, TINY)
    return training.fit(TINY, vocab, counts, train, None)["model"]


def test_the_dog_gets_fed_though_the_training_text_never_says_so(pets_model):
    assert not any("dog gets" in text for text in PETS)
    top = pets_model.next_words("I forgot to make sure that the dog gets", k=3)
    assert top[0]["word"] == "fed" and top[0]["probability"] > 0.5
    assert "cat" in [row["word"] for row in pets_model.neighbors("dog", k=3)]


def test_next_words_are_a_distribution_without_the_boundary_token(pets_model):
    rows = pets_model.next_words("the", k=len(pets_model.vocab))
    assert "<s>" not in [row["word"] for row in rows]
    assert sum(row["probability"] for row in rows) == pytest.approx(1.0, abs=1e-4)
    assert [row["probability"] for row in rows] == sorted((row["probability"] for row in rows), reverse=True)
    assert pets_model.next_words("", k=1)[0]["word"] == "the"  # every document starts with "the" or "i"/"we"


def test_neighbors_of_an_unknown_word_is_a_config_error(pets_model):
    with pytest.raises(ConfigError, match="'zebra' is not in the model's vocabulary"):
        pets_model.neighbors("zebra")
    with pytest.raises(ConfigError, match="not in the model's vocabulary"):
        pets_model.neighbors("<unk>")
    assert pets_model.neighbors("Cat", k=1)  # looked up as the tokenizer writes it


def test_training_lowers_held_out_perplexity_and_stops_early():
    texts = PETS * 4
    config = LMConfig(
        window=2, dim=8, hidden=16, epochs=40, batch_size=8, min_count=1, holdout=0.25, patience=2, lr=0.02
    )
    vocab, counts, train, held = training.split_text(texts, config)
    result = training.fit(config, vocab, counts, train, held)
    history = [row["heldout_perplexity"] for row in result["history"]]
    assert history[result["best_epoch"] - 1] == min(history) < history[0]
    assert result["model"].perplexity(held) == pytest.approx(min(history))
    assert len(history) < 40 or result["best_epoch"] > 30  # patience ends a plateau


def test_ctrl_c_returns_the_best_model_so_far():
    config = LMConfig(window=2, dim=8, hidden=8, epochs=50, batch_size=4, min_count=1, holdout=0.2)
    vocab, counts, train, held = training.split_text(PETS * 3, config)
    seen = {"epochs": 0}

    def progress(event):
        if event["event"] == "epoch_end":
            seen["epochs"] += 1
        if seen["epochs"] == 3 and event["event"] == "batch":
            raise KeyboardInterrupt

    result = training.fit(config, vocab, counts, train, held, progress=progress)
    assert result["interrupted"] and len(result["history"]) == 3
    assert result["model"].perplexity(held) == pytest.approx(
        min(row["heldout_perplexity"] for row in result["history"])
    )


def test_save_and_load_round_trip_without_pickle(tmp_path, pets_model):
    path = lmfile.save(tmp_path / "pets.lm", pets_model, {"note": "x"})
    loaded = lmfile.load(path)
    assert loaded.vocab == pets_model.vocab and lmfile.training_text(path, loaded, tmp_path) is None
    for name in ("E", "W", "b", "Uc"):
        assert np.array_equal(loaded.params[name], pets_model.params[name])
    assert loaded.next_words("the cat gets", 2) == pets_model.next_words("the cat gets", 2)
    meta = bundle.read_metadata(path, bundle.LM_FORMAT)
    assert meta["config"]["window"] == 3 and meta["note"] == "x"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["lm.npz", "metadata.json"]


def test_training_text_is_streamed_into_the_file_and_back(tmp_path, pets_model):
    train = from_encoded(training.split_text(PETS, TINY)[2], 3)
    path = lmfile.save(tmp_path / "pets.lm", pets_model, {}, train)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["lm.npz", "metadata.json", "train.i32"]
    back = lmfile.training_text(path, lmfile.load(path), tmp_path)
    assert np.array_equal(back.tokens, train.tokens)
    assert (back.pad, back.documents, back.n_tokens) == (3, len(PETS), train.n_tokens)


@pytest.mark.parametrize(
    "tokens, message",
    [
        ([1, 1, 1, 3, 4, 999, 2], "outside the vocabulary"),
        ([1, 1, 3, 4, 2], "does not start with its padding"),
        ([1, 1, 1, -5, 2], "outside the vocabulary"),
    ],
)
def test_a_hostile_training_text_is_refused_before_use(tmp_path, pets_model, tokens, message):
    bad = Stream(np.array(tokens, dtype=np.int32), 3, 1, 3)
    path = lmfile.save(tmp_path / "bad.lm", pets_model, {}, bad)
    with pytest.raises(ModelFileError, match=message):
        lmfile.training_text(path, lmfile.load(path), tmp_path)


def test_a_training_text_that_does_not_match_its_sha256_is_refused(tmp_path, pets_model):
    train = from_encoded(training.split_text(PETS, TINY)[2], 3)
    path = lmfile.save(tmp_path / "pets.lm", pets_model, {}, train)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    text = bytearray(members["train.i32"])
    text[-4:] = (3).to_bytes(4, "little")  # a valid id, but not the one written
    with zipfile.ZipFile(tmp_path / "edited.lm", "w") as archive:
        for name, data in {**members, "train.i32": bytes(text)}.items():
            archive.writestr(name, data)
    with pytest.raises(ModelFileError, match="sha256"):
        lmfile.training_text(tmp_path / "edited.lm", lmfile.load(tmp_path / "edited.lm"), tmp_path)


def test_bad_lm_files_are_one_line_errors(tmp_path, pets_model):
    with pytest.raises(ModelFileError, match="language model not found"):
        lmfile.load(tmp_path / "missing.lm")
    (tmp_path / "junk.lm").write_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError, match="not a sentclf language model"):
        lmfile.load(tmp_path / "junk.lm")
    classifier = modelfile.save(tmp_path / "clf.sentclf", {"lr": 1}, {})
    with pytest.raises(ModelFileError, match="not a sentclf language model: it is a sentclf model file"):
        lmfile.load(classifier)
    path = lmfile.save(tmp_path / "pets.lm", pets_model, {})
    raw = path.read_bytes()
    (tmp_path / "cut.lm").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ModelFileError):
        lmfile.load(tmp_path / "cut.lm")
    with zipfile.ZipFile(path) as archive:
        meta, payload = archive.read("metadata.json"), bytearray(archive.read("lm.npz"))
    payload[100] ^= 0xFF
    with zipfile.ZipFile(tmp_path / "flipped.lm", "w") as archive:
        archive.writestr("metadata.json", meta)
        archive.writestr("lm.npz", bytes(payload))
    with pytest.raises(ModelFileError, match="sha256"):
        lmfile.load(tmp_path / "flipped.lm")
    with pytest.raises(ModelFileError, match="not a sentclf model file: it is a sentclf language model"):
        modelfile.load(path)


def test_config_is_validated():
    for bad, message in [
        ({"window": 1}, "--window"),
        ({"activation": "softplus"}, "choose one of relu, tanh, sigmoid"),
        ({"dropout": 1.0}, "--dropout"),
        ({"epochs": 0}, "--epochs"),
        ({"lr": 0}, "--lr"),
        ({"optimizer": "rmsprop"}, "adam or sgd"),
    ]:
        with pytest.raises(ConfigError, match=message):
            LMConfig(**bad).validate()


def test_sgd_with_momentum_trains_too():
    config = LMConfig(
        window=2, dim=8, hidden=16, epochs=15, batch_size=8, min_count=1, holdout=0, optimizer="sgd", lr=0.1
    )
    vocab, counts, train, _ = training.split_text(PETS, config)
    result = training.fit(config, vocab, counts, train, None)
    losses = [row["train_loss"] for row in result["history"]]
    assert losses[-1] < 0.6 * losses[0]


def test_a_diverging_run_is_a_clear_error():
    config = LMConfig(
        window=2, dim=8, hidden=16, epochs=30, batch_size=8, min_count=1, holdout=0, optimizer="sgd", lr=50.0
    )
    vocab, counts, train, _ = training.split_text(PETS, config)
    with pytest.raises(ConfigError, match=r"training diverged in epoch .*lower --lr"), np.errstate(all="ignore"):
        training.fit(config, vocab, counts, train, None)


def test_a_tied_model_trains_saves_and_loads(tmp_path):
    config = LMConfig(window=3, dim=8, hidden=16, epochs=30, batch_size=16, min_count=1, holdout=0, lr=0.01, tie=True)
    vocab, counts, train, _ = training.split_text(PETS, config)
    model = training.fit(config, vocab, counts, train, None)["model"]
    assert set(model.params) == {"E", "W", "b", "P", "c"}
    assert model.next_words("the cat gets", 1)[0]["word"] == "fed"
    loaded = lmfile.load(lmfile.save(tmp_path / "tied.lm", model, {}))
    assert loaded.config.tie and np.array_equal(loaded.params["P"], model.params["P"])
    assert loaded.perplexity(train) == pytest.approx(model.perplexity(train))


def test_auto_batch_size_is_512_or_32_steps_an_epoch():
    assert [auto_batch_size(n) for n in (1, 31, 33, 508, 16_384, 16_385, 10**9)] == [1, 1, 2, 16, 512, 512, 512]
    assert LMConfig().with_batch_for(508).batch_size == 16
    assert LMConfig(batch_size=7).with_batch_for(508).batch_size == 7
