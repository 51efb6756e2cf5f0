"""Build hook: ship the repository's `lessons/` notebooks inside the wheel.

The lessons live at the top of the repository (Binder and teachers open them there), but
`tfteach lessons` must also work from a wheel install. The build copies them into
`tfteach/lessons_data/` of the build tree only; the source tree keeps one copy.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py

HERE = Path(__file__).resolve().parent


class build_py(_build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads lessons/ in place (see tfteach.cli)
        src = HERE / "lessons"
        if not src.is_dir():
            return
        target = Path(self.build_lib) / "tfteach" / "lessons_data"
        target.mkdir(parents=True, exist_ok=True)
        # guides.yml: the teacher build's guide per lesson (tfteach.classroom)
        extra = [src / "nbval_sanitize.cfg", src / "guides.yml"]
        for path in sorted(src.glob("*.ipynb")) + extra:
            if path.is_file():
                shutil.copy2(path, target / path.name)
        if (src / "data").is_dir():
            shutil.copytree(src / "data", target / "data", dirs_exist_ok=True)


setup(cmdclass={"build_py": build_py})
