"""Words and sentence templates of the synthetic corpus.

Templates hold `{slot}` placeholders; a slot name is a word list below (digits at the end
draw the same list again: `{task2}`), and a capitalised name (`{Task}`) capitalises the
drawn word. Slots come every two or three words, so word 5-grams of distinct papers rarely
coincide, while a few fixed phrases ("In this paper, we propose", "Extensive experiments
on") recur across many abstracts, as they do in real listings.
"""

from __future__ import annotations


def words(listing: str) -> list[str]:
    """Split a comma-separated listing into its entries.

    >>> words("object detection, GANs")
    ['object detection', 'GANs']
    """
    return [entry.strip() for entry in listing.split(",") if entry.strip()]


TOPIC_SHARES: dict[str, float] = {
    "language-models": 0.20,
    "computer-vision": 0.18,
    "generative-models": 0.10,
    "reinforcement-learning": 0.08,
    "efficient-ml": 0.08,
    "optimization-and-theory": 0.07,
    "graphs-and-recommendation": 0.07,
    "time-series": 0.06,
    "scientific-ml": 0.06,
    "physics": 0.04,
    "signal-processing": 0.04,
    "other": 0.02,
}

# Methods named after people, written as LaTeX macros, as arXiv abstracts write them.
LATEX_MECHANISMS = [
    'Nystr\\"om approximation',
    "Poincar\\'e embeddings",
    'a Schr\\"odinger bridge',
    "Erd\\H{o}s-R\\'enyi sampling",
]

# Per topic: tasks, the objects they act on, the topic's own methods, and datasets.
TOPIC_WORDS: dict[str, dict[str, list[str]]] = {
    "language-models": {
        "task": words(
            "machine translation, question answering, code generation, summarization, "
            "instruction following, in-context learning, retrieval-augmented generation, "
            "named entity recognition, dialogue state tracking, text classification, "
            "multilingual reasoning, program synthesis, preference optimization"
        ),
        "object": words(
            "large language models, long documents, chain-of-thought traces, user prompts, "
            "low-resource languages, multilingual corpora, conversational agents, reasoning "
            "chains, tokenizer vocabularies"
        ),
        "tmethod": words(
            "instruction tuning, RLHF, DPO, chain-of-thought prompting, retrieval "
            "augmentation, LLM agents, self-consistency decoding, BERT encoders, "
            "mixture-of-experts language models"
        ),
        "dataset": words(
            "MMLU, GSM8K, HumanEval, TriviaQA, BIG-Bench, MT-Bench, XSum, SQuAD, HellaSwag, "
            "WMT14, AlpacaEval, TruthfulQA"
        ),
    },
    "computer-vision": {
        "task": words(
            "object detection, semantic segmentation, depth estimation, pose estimation, "
            "image restoration, super-resolution, optical flow, 3D reconstruction, action "
            "recognition, image retrieval, remote sensing change detection, medical image "
            "segmentation"
        ),
        "object": words(
            "point clouds, satellite images, video frames, whole slide images, multi-view "
            "images, driving scenes, hyperspectral images, MRI scans, natural images, "
            "street-view panoramas"
        ),
        "tmethod": words(
            "vision transformers, convolutional neural networks, neural radiance fields, "
            "Gaussian splatting, vision-language models, masked autoencoders, feature "
            "pyramids, deformable attention"
        ),
        "dataset": words(
            "ImageNet, COCO, ADE20K, Cityscapes, KITTI, nuScenes, ScanNet, Kinetics-400, "
            "PASCAL VOC, LLFF, BraTS, DOTA"
        ),
    },
    "generative-models": {
        "task": words(
            "image generation, text-to-image synthesis, video generation, image editing, "
            "likelihood estimation, controllable generation, few-step sampling, text-to-video "
            "synthesis"
        ),
        "object": words(
            "latent spaces, diffusion trajectories, noise schedules, generated images, score "
            "functions, probability paths, sampler steps"
        ),
        "tmethod": words(
            "diffusion models, latent diffusion, flow matching, generative adversarial "
            "networks, variational autoencoders, normalizing flows, consistency models, "
            "diffusion transformers, classifier-free guidance"
        ),
        "dataset": words(
            "CIFAR-10, CelebA-HQ, LSUN Bedroom, FFHQ, MS-COCO captions, LAION-5B, UCF-101, "
            "ImageNet 256x256"
        ),
    },
    "reinforcement-learning": {
        "task": words(
            "offline reinforcement learning, policy optimization, imitation learning, "
            "multi-agent coordination, reward shaping, exploration, model-based planning, "
            "contextual bandits"
        ),
        "object": words(
            "Markov decision processes, reward functions, value functions, agent policies, "
            "replay buffers, sparse rewards, continuous control"
        ),
        "tmethod": words(
            "actor-critic methods, Q-learning, policy gradient methods, temporal difference "
            "learning, world models, PPO, inverse RL"
        ),
        "dataset": words(
            "Atari 100k, MuJoCo, D4RL, Procgen, Meta-World, StarCraft II, DeepMind Control "
            "Suite, NetHack"
        ),
    },
    "efficient-ml": {
        "task": words(
            "post-training quantization, structured pruning, knowledge distillation, "
            "parameter-efficient fine-tuning, speculative decoding, model compression, KV "
            "cache compression, mixed precision training"
        ),
        "object": words(
            "weight matrices, KV caches, attention heads, edge devices, low-bit activations, "
            "GPU memory, adapter weights, sparse kernels"
        ),
        "tmethod": words(
            "LoRA, 4-bit quantization, low-rank adaptation, magnitude pruning, distillation "
            "losses, token merging, sparse attention, neural architecture search"
        ),
        "dataset": words("WikiText-2, C4, GLUE, LLaMA-7B, OPT-13B, ImageNet-1k, SuperGLUE, Pile"),
    },
    "optimization-and-theory": {
        "task": words(
            "non-convex optimization, hyperparameter optimization, bilevel optimization, "
            "generalization bounds, learning dynamics, stochastic optimization, minimax "
            "optimization"
        ),
        "object": words(
            "loss landscapes, learning rates, overparameterized networks, gradient noise, "
            "saddle points, neural tangent kernels, implicit bias"
        ),
        "tmethod": words(
            "stochastic gradient descent, Adam, Bayesian optimization, PAC-Bayes analysis, "
            "mirror descent, second-order optimizers, Nesterov momentum"
        ),
        "dataset": words(
            "CIFAR-100, synthetic quadratic problems, MNIST, HPO-B, logistic regression "
            "benchmarks, LIBSVM datasets"
        ),
    },
    "graphs-and-recommendation": {
        "task": words(
            "link prediction, node classification, collaborative filtering, knowledge graph "
            "completion, click-through rate prediction, graph representation learning, "
            "sequential recommendation"
        ),
        "object": words(
            "heterogeneous graphs, user-item interactions, knowledge graphs, social networks, "
            "subgraphs, citation graphs, item embeddings"
        ),
        "tmethod": words(
            "graph neural networks, graph transformers, message passing, graph convolutional "
            "networks, random walk embeddings, contrastive graph learning"
        ),
        "dataset": words(
            "ogbn-arxiv, Cora, MovieLens-1M, Amazon-Book, FB15k-237, Yelp2018, PubMed, WN18RR"
        ),
    },
    "time-series": {
        "task": words(
            "long-term forecasting, anomaly detection, trajectory prediction, traffic "
            "forecasting, irregularly sampled time series imputation, multivariate time "
            "series forecasting"
        ),
        "object": words(
            "multivariate time series, sensor streams, traffic flows, seasonal patterns, "
            "long-range dependencies, lookback windows"
        ),
        "tmethod": words(
            "state space models, Mamba, LSTMs, temporal convolutions, Koopman operators, "
            "spatio-temporal transformers"
        ),
        "dataset": words("ETTh1, Electricity, Traffic, Weather, PEMS08, M4, Exchange-Rate, SMAP"),
    },
    "scientific-ml": {
        "task": words(
            "PDE solving, molecular property prediction, weather forecasting, protein "
            "structure prediction, turbulence modelling, materials discovery, retrosynthesis "
            "planning"
        ),
        "object": words(
            "partial differential equations, molecular graphs, crystal structures, fluid "
            "dynamics simulations, climate fields, protein sequences, finite element meshes"
        ),
        "tmethod": words(
            "neural operators, Fourier neural operators, physics-informed neural networks, "
            "equivariant networks, surrogate models, graph network simulators"
        ),
        "dataset": words(
            "QM9, ERA5, PDEBench, Materials Project, USPTO-50k, MD17, Navier-Stokes 2D, OC20"
        ),
    },
    "physics": {
        "task": words(
            "black hole thermodynamics, dark matter detection, scattering amplitude bounds, "
            "phase transitions, neutrino oscillations, galaxy formation, superconductivity"
        ),
        "object": words(
            "effective field theories, gauge theories, Ising models, qubit arrays, "
            "cosmological perturbations, hadron spectra, spin chains"
        ),
        "tmethod": words(
            "renormalization group flows, lattice QCD, dispersion relations, Monte Carlo "
            "simulations, perturbation theory, holographic duality"
        ),
        "dataset": words(
            "Planck 2018 data, LHC Run 2 data, IceCube events, SDSS spectra, LIGO strain "
            "data, DESI galaxies"
        ),
    },
    "signal-processing": {
        "task": words(
            "channel estimation, beamforming design, speech enhancement, direction of arrival "
            "estimation, modulation classification, power allocation, radar target detection"
        ),
        "object": words(
            "MIMO channels, OFDM symbols, mmWave links, base stations, reconfigurable "
            "intelligent surfaces, EEG recordings, audio signals"
        ),
        "tmethod": words(
            "compressed sensing, sparse recovery, deep unfolding, precoding networks, "
            "dictionary learning, transceiver networks"
        ),
        "dataset": words(
            "DeepMIMO, RadioML 2018, LibriSpeech, VoiceBank-DEMAND, CHB-MIT EEG, 3GPP CDL channels"
        ),
    },
    "other": {
        "task": words(
            "fairness auditing, causal discovery, interpretability, data valuation, "
            "uncertainty quantification, privacy accounting, tabular prediction"
        ),
        "object": words(
            "tabular data, causal graphs, feature attributions, survey responses, decision "
            "trees, sensitive attributes"
        ),
        "tmethod": words(
            "Shapley values, conformal prediction, differential privacy, gradient boosting, "
            "structural causal models, concept bottlenecks"
        ),
        "dataset": words("Adult, COMPAS, UCI benchmarks, OpenML-CC18, Folktables, German Credit"),
    },
}

WORDS: dict[str, list[str]] = {
    "adj": words(
        "robust, scalable, efficient, lightweight, adaptive, hierarchical, unified, "
        "principled, modular, data-efficient, provable, sparse, training-free, "
        "self-supervised, contrastive, multi-scale, causal, uncertainty-aware, compositional, "
        "interpretable, geometry-aware, memory-efficient, plug-and-play, end-to-end, "
        "semi-supervised, zero-shot, few-shot, task-agnostic, distribution-aware, layer-wise, "
        "token-level, frequency-aware, curriculum-based, energy-efficient, decoupled, "
        "progressive, multimodal, continual, federated, equivariant"
    ),
    "arch": words(
        "framework, architecture, objective, training scheme, estimator, pipeline, "
        "regularizer, decoder, encoder, algorithm, benchmark, loss function, sampling "
        "strategy, representation, inference procedure"
    ),
    "mechanism": words(
        "a learned routing function, cross-layer feature reuse, a bilevel training loop, "
        "contrastive pretraining, a residual correction term, adaptive token pruning, "
        "low-rank factorization, a momentum teacher, stochastic depth, a gating network, "
        "optimal transport matching, iterative refinement, a hypernetwork, a lightweight "
        "critic, learned positional priors, dynamic sparsity, a memory bank, "
        "uncertainty-weighted losses, hard negative mining, spectral normalization, a "
        "two-stage curriculum, prototype alignment, a frozen backbone"
    )
    + LATEX_MECHANISMS,
    "problem": words(
        "distribution shift, catastrophic forgetting, label noise, quadratic memory cost, "
        "error accumulation, mode collapse, poor calibration, spurious correlations, slow "
        "convergence, sample inefficiency, high annotation cost, overfitting to shortcuts, "
        "long-tailed class imbalance, exposure bias, reward hacking, hallucinated content, "
        "limited context length, oversmoothing"
    ),
    "property": words(
        "robustness, sample efficiency, calibration, generalization, faithfulness, stability, "
        "throughput, fairness, expressiveness, latency, diversity, controllability, "
        "transferability, consistency"
    ),
    "assumption": words(
        "access to clean labels, a stationary data distribution, i.i.d. training samples, "
        "unlimited compute, a known noise model, dense supervision, a fixed vocabulary, "
        "perfect state observation, smooth loss functions, balanced classes"
    ),
    "shift": words(
        "domain shift, adversarial perturbations, sensor noise, unseen environments, longer "
        "inputs, new languages, compositional queries, rare categories, temporal drift"
    ),
    "module": words(
        "fusion module, calibration head, routing layer, memory module, alignment loss, "
        "projection head, attention block, denoising head, confidence estimator, feature "
        "adapter"
    ),
    "analysis": words(
        "convergence analysis, sample complexity bound, regret bound, generalization "
        "analysis, approximation guarantee, stability analysis"
    ),
    "verb": words(
        "improves, preserves, stabilizes, accelerates, simplifies, unifies, strengthens, "
        "disentangles, regularizes, exploits, balances, captures"
    ),
    "act": words(
        "align, compress, aggregate, reweight, decompose, calibrate, distill, denoise, "
        "retrieve, route, factorize, reconstruct, propagate"
    ),
    "metric": words(
        "accuracy, F1 score, mean IoU, BLEU, FID, top-1 accuracy, success rate, AUROC, mean "
        "average precision, perplexity, normalized return, NDCG@10, MAE, word error rate"
    ),
    "baseline": words(
        "the strongest baseline, prior state-of-the-art methods, competitive baselines, "
        "recent transformer-based methods, existing training-free methods, the best published "
        "result"
    ),
    "cost": words(
        "training time, memory usage, inference latency, the number of parameters, FLOPs, "
        "annotation effort, energy consumption"
    ),
    "gerund": words(
        "Learning, Scaling, Rethinking, Revisiting, Improving, Understanding, Benchmarking, "
        "Unifying, Accelerating, Stabilizing, Exploring, Disentangling, Calibrating, "
        "Compressing, Aligning, Probing"
    ),
    "section": words(
        "the proof of Theorem 2, the main experiment, Lemma 3, the data preprocessing, the "
        "evaluation protocol, Section 4"
    ),
    "handle": words(
        "ml-lab, visionlab, nlp-group, ai4science, deep-learning-lab, opt-theory, graph-lab, "
        "rl-team, efficient-ai, sp-group, tsai-lab, genai-research, physics-ml, data-lab"
    ),
    "venue": words(
        "NeurIPS 2024, ICML 2025, ICLR 2025, CVPR 2025, ACL 2024, AAAI 2025, EMNLP 2024, ECCV "
        "2024, KDD 2024, ICASSP 2025, IJCAI 2024, AISTATS 2025"
    ),
}

# Sentence templates by role; an abstract takes roles in this order, some optional.
TEMPLATES: dict[str, list[str]] = {
    "context": [
        "{Task} is a central problem in machine learning, with applications ranging from "
        "{object} to {object2}.",
        "Recent advances in {tmethod} have enabled {adj} progress on {task}, yet {problem} "
        "remains poorly understood.",
        "{Tmethod} have become a dominant approach to {task}, but their {property} on "
        "{object} is still limited.",
        "Despite rapid progress in {task}, existing {tmethod} struggle with {problem} when "
        "applied to {object}.",
        "Modern systems for {task} increasingly depend on {tmethod} trained on {object}.",
    ],
    "problem": [
        "Existing approaches rely on {adj} {arch}s and ignore {problem}, which leads to "
        "poor {property} on {object}.",
        "However, most prior work assumes {assumption}, an assumption that rarely holds "
        "for {object} under {shift}.",
        "A key obstacle is {problem}: models trained on {dataset} degrade sharply under {shift}.",
        "Moreover, current {tmethod} trade {property} for {property2}, and no method "
        "handles {problem} and {problem2} at once.",
    ],
    "method": [
        "In this paper, we propose {Name}, a {adj} {arch} that {verb} {property} through "
        "{mechanism}.",
        "In this work, we introduce {Name}, which combines {tmethod} with {mechanism} to "
        "address {problem}.",
        "We present {Name}, a {adj} {arch} for {task} built on {mechanism} and a {adj2} {module}.",
        "To address this, we propose {Name}, a {adj} approach that treats {task} as "
        "{task2} over {object}.",
    ],
    "detail": [
        "The key idea is to {act} {object} with {mechanism}, so that {property} is "
        "preserved under {shift}.",
        "Concretely, {Name} uses {mechanism} to {act} {object}, and a {adj} {module} to "
        "{act2} {object2}.",
        "We further show that {Name} admits a {analysis} with rate $O(n^{-1/{count}})$ "
        "under {assumption}.",
        "Unlike {tmethod}, our {arch} does not require {assumption} and adds only "
        "{pct}\\% extra {cost}.",
        "A {adj} {module} lets {Name} {act} {object} while keeping {cost} nearly constant.",
        "We also derive a {adj} variant that {verb} {property2} with {mechanism2}.",
        "Our analysis reveals that {problem} stems from {mechanism}, which motivates a "
        "{adj} {module}.",
    ],
    "experiment": [
        "Extensive experiments on {dataset}, {dataset2} and {dataset3} demonstrate that "
        "{Name} outperforms {baseline} by {pct}% in {metric}.",
        "Experiments on {count} benchmarks show that our method improves {metric} by "
        "{pct}% while reducing {cost} by {factor}x.",
        "On {dataset}, {Name} reaches {score} {metric}, compared with {score2} for {baseline}.",
        "Across {count} settings of {task}, {Name} matches {baseline} with {factor}x less {cost}.",
    ],
    "closing": [
        "Our results suggest that {mechanism} is a {adj} alternative to {tmethod} for {task}.",
        "The code is available at https://github.com/{handle}/{repo}.",
        "We release our code and models to facilitate future research on {task}.",
        "These findings open a path towards {adj} {task} on {object}.",
    ],
}

# (role, probability the abstract has it), in order.
ABSTRACT_ROLES: list[tuple[str, float]] = [
    ("context", 1.0),
    ("problem", 0.8),
    ("method", 1.0),
    ("detail", 1.0),
    ("detail", 0.8),
    ("detail", 0.5),
    ("detail", 0.3),
    ("experiment", 1.0),
    ("experiment", 0.5),
    ("closing", 0.7),
]

TITLE_TEMPLATES: list[str] = [
    "{Name}: {Adj} {Tmethod} for {Task}",
    "{Gerund} {Task} with {Adj} {Tmethod}",
    "{Name}: {Gerund} {Object} via {Mechanism}",
    "{Adj} {Arch} for {Task} on {Object}",
    "Towards {Adj} {Task}: A {Tmethod} Perspective",
    "On the {Property} of {Tmethod} for {Task}",
    "{Name}: A Benchmark for {Task} under {Shift}",
    "{Gerund} {Problem} in {Tmethod}",
    "When {Tmethod} Meet {Mechanism}: {Adj} {Task}",
]

WITHDRAWN = "This paper has been withdrawn by the author due to an error in {section}."

# Words an editor swaps in when revising a sentence.
EDIT_WORDS = words(
    "novel, simple, strong, new, general, practical, significant, consistent, substantial, "
    "effective, flexible, broad, careful, systematic, notable, further, additional, several, "
    "various, key, crucial, standard, typical, moreover, notably, largely, clearly, widely, "
    "greatly, markedly"
)

SYLLABLES: list[str] = [c + v for c in "bdfgklmnprstvzh" for v in "aeiou"]
