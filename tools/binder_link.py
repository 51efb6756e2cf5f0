"""Prints the mybinder.org launch link (and a README badge) for this repository.

    python3 tools/binder_link.py                 # from `git remote get-url origin`
    python3 tools/binder_link.py owner/name      # any GitHub repository
    python3 tools/binder_link.py owner/name --path lessons/06_gradients.ipynb --ref main

The repository's public address is not written into the project (forks and mirrors each have
their own); this builds the link from the clone at hand.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BADGE = "https://mybinder.org/badge_logo.svg"


def github_repo(url):
    """`owner/name` of a GitHub remote URL (https or ssh), or None."""
    m = re.match(r"(?:https?://|ssh://git@|git@)github\.com[/:]([^/]+)/([^/]+?)(?:\.git)?/?$",
                 url.strip())
    return "%s/%s" % m.groups() if m else None


def launch_url(repo, ref="HEAD", path="lessons/00_index.ipynb"):
    return "https://mybinder.org/v2/gh/%s/%s?urlpath=lab/tree/%s" % (repo, ref, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repo", nargs="?", help="owner/name on GitHub (default: the origin remote)")
    ap.add_argument("--ref", default="HEAD", help="branch, tag or commit (default: HEAD)")
    ap.add_argument("--path", default="lessons/00_index.ipynb", help="file to open")
    args = ap.parse_args(argv)
    repo = args.repo
    if repo is None:
        r = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT,
                           capture_output=True, text=True)
        repo = github_repo(r.stdout) if r.returncode == 0 else None
        if repo is None:
            print("no GitHub `origin` remote here: pass the repository as owner/name, or on "
                  "https://mybinder.org enter its URL and `lab/tree/%s` as the URL to open"
                  % args.path, file=sys.stderr)
            return 1
    url = launch_url(repo, args.ref, args.path)
    print(url)
    print("[![Binder](%s)](%s)" % (BADGE, url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
