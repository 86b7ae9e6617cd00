"""De punta a punta: el comando instalado, y un wheel no editable usado desde otra carpeta."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent


def _amauta() -> str:
    ejecutable = Path(sys.executable).parent / "amauta"
    if not ejecutable.exists():
        pytest.skip("el comando amauta no está instalado en este entorno")
    return str(ejecutable)


def test_comando_instalado_migra_la_base_embebida(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("AMAUTA_DATABASE_URL", "DATABASE_URL")}
    env["XDG_DATA_HOME"] = str(tmp_path)
    r = subprocess.run([_amauta(), "db", "migrate"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "amauta" / "amauta.db").is_file()
    r = subprocess.run([_amauta(), "db", "estado", "-f", "json"], env=env, capture_output=True, text=True)
    assert '"origen_url": "predeterminada"' in r.stdout
    r = subprocess.run([_amauta(), "db", "rollback", "--revision", "nada"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = subprocess.run([_amauta(), "db", "migrate", "--opcion-inexistente"], env=env, capture_output=True, text=True)
    assert r.returncode == 2


def test_wheel_no_editable_lleva_migraciones_y_datos(tmp_path):
    """``pip install .`` (no editable) debe funcionar desde cualquier carpeta."""
    if shutil.which("git") is None:
        pytest.skip("sin git")
    dist = tmp_path / "dist"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(RAIZ)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if r.returncode != 0:
        pytest.skip(f"no se pudo construir el wheel (¿sin acceso al índice de paquetes?): {r.stderr[-300:]}")
    (wheel,) = dist.glob("amauta-*.whl")
    nombres = zipfile.ZipFile(wheel).namelist()
    assert "amauta_cli/migrations/env.py" in nombres
    assert any(n.startswith("amauta_cli/migrations/versions/0001") for n in nombres)
    destino = tmp_path / "sitio"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(destino), str(wheel)],
        check=True,
        capture_output=True,
    )
    otra = tmp_path / "otra-carpeta"
    otra.mkdir()
    env = dict(os.environ, PYTHONPATH=str(destino), XDG_DATA_HOME=str(tmp_path / "datos"))
    env.pop("AMAUTA_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    codigo = "import amauta_cli, sys; print(amauta_cli.__file__); from amauta_cli.cli.main import main; sys.argv=['amauta','db','migrate']; main()"
    r = subprocess.run([sys.executable, "-c", codigo], env=env, capture_output=True, text=True, cwd=otra)
    assert r.returncode == 0, r.stderr
    assert str(destino) in r.stdout  # se usó el paquete instalado, no el repositorio
    assert "Migración completa" in r.stderr
