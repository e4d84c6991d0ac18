"""Settings for page benchmarks: the local settings plus a URLconf with a bare view.

Only ``bench/pages_bench.py`` uses this module (through ``DJANGO_SETTINGS_MODULE``).
"""

from peerpath.config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
