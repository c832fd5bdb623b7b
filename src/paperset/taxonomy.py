"""The topic taxonomy of CONTRACT §5: slugs and what each one covers."""

from __future__ import annotations

from dataclasses import dataclass

TAXONOMY_VERSION = "1"


@dataclass(frozen=True)
class Topic:
    """One slug of the taxonomy and the scope a reader can expect under it."""

    slug: str
    scope: str


TAXONOMY: tuple[Topic, ...] = (
    Topic(
        "language-models",
        "LLMs and NLP: pretraining, alignment, in-context learning, code generation, "
        "evaluation of LMs",
    ),
    Topic(
        "computer-vision",
        "images, video, 3D, segmentation, detection, restoration, remote sensing and "
        "medical imaging",
    ),
    Topic(
        "generative-models",
        "diffusion, score-based and flow models, GANs, VAEs, autoregressive image/video "
        "generation",
    ),
    Topic(
        "reinforcement-learning",
        "RL, bandits, MDPs, multi-agent RL, planning, preference-based RL",
    ),
    Topic(
        "efficient-ml",
        "quantization, pruning, distillation, low-rank/parameter-efficient fine-tuning, "
        "KV-cache, efficient training and inference",
    ),
    Topic(
        "optimization-and-theory",
        "optimizers, convergence, learning theory and learning dynamics, hyperparameter "
        "optimization",
    ),
    Topic(
        "graphs-and-recommendation",
        "graph neural networks, knowledge graphs, recommender systems, link prediction",
    ),
    Topic(
        "time-series",
        "forecasting, sequence and state-space models for temporal data, trajectories",
    ),
    Topic(
        "scientific-ml",
        "ML for PDEs and physics simulation, neural operators, physics-informed networks, "
        "molecules, materials, weather",
    ),
    Topic(
        "physics",
        "physics without a machine-learning focus: high-energy, astro, quantum, "
        "statistical mechanics",
    ),
    Topic(
        "signal-processing",
        "wireless, RF, radar, channel estimation, beamforming, audio signal processing",
    ),
    Topic("other", "everything else"),
)

TOPIC_SLUGS: tuple[str, ...] = tuple(topic.slug for topic in TAXONOMY)
FALLBACK_TOPIC = "other"
