"""Resolución de la URL, enmascarado de contraseñas y arranque liviano."""

from __future__ import annotations

import subprocess
import sys

import pytest

from amauta_cli.db import enmascarar_url, normalizar_url, resolver_url, ruta_sqlite_por_defecto


def test_orden_de_resolucion_de_la_url(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    r = resolver_url(None)
    assert r.origen == "predeterminada"
    assert r.url == f"sqlite:///{tmp_path}/amauta/amauta.db"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db_generica")
    assert resolver_url(None) .url == "postgresql+psycopg://u@h/db_generica"
    monkeypatch.setenv("AMAUTA_DATABASE_URL", "postgresql://u@h/db_amauta")
    assert resolver_url(None).origen == "AMAUTA_DATABASE_URL"
    assert resolver_url(None).url.endswith("/db_amauta")
    r = resolver_url("sqlite:///otra.db")
    assert (r.origen, r.url) == ("--db-url", "sqlite:///otra.db")


@pytest.mark.parametrize(
    "entrada,esperada",
    [
        ("postgres://a:b@h:5/d", "postgresql+psycopg://a:b@h:5/d"),
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg2://a@h/d", "postgresql+psycopg://a@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_normalizar_url(entrada, esperada):
    assert normalizar_url(entrada) == esperada


def test_enmascarar_url():
    assert enmascarar_url("postgresql+psycopg://amauta:s3cr3t@db:5432/prod") == (
        "postgresql+psycopg://amauta:***@db:5432/prod"
    )
    assert enmascarar_url("postgresql://amauta@db/prod") == "postgresql://amauta@db/prod"
    assert enmascarar_url("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


@pytest.mark.rapida
@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_la_contrasena_de_la_url_nunca_se_muestra(bd):
    """Con una URL con contraseña, ninguna salida de db estado la muestra."""
    from conftest import invocar

    url = bd.url.replace("postgres@", "postgres:ClaveSecreta123@")
    for formato in ("tabla", "json", "csv"):
        r = invocar(url, "db", "estado", "--formato", formato)
        assert r.codigo == 0, r.texto
        assert "ClaveSecreta123" not in r.texto
        assert "***" in r.texto


def test_sqlite_por_defecto_se_crea_al_primer_uso(monkeypatch, tmp_path):
    from conftest import invocar

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "datos"))
    r = invocar(None, "db", "migrate")
    assert r.codigo == 0, r.texto
    assert ruta_sqlite_por_defecto() == tmp_path / "datos" / "amauta" / "amauta.db"
    assert ruta_sqlite_por_defecto().is_file()


@pytest.mark.parametrize("args", [["--help"], ["db", "--help"], []])
def test_ayuda_no_importa_sqlalchemy_alembic_ni_bcrypt(args):
    codigo = (
        "import sys\n"
        "from amauta_cli.cli.main import app\n"
        f"try:\n    app({args!r}, prog_name='amauta')\nexcept SystemExit:\n    pass\n"
        "pesados = [m for m in ('sqlalchemy', 'alembic', 'bcrypt', 'psycopg', 'yaml') if m in sys.modules]\n"
        "print('PESADOS', pesados)\n"
    )
    r = subprocess.run([sys.executable, "-c", codigo], capture_output=True, text=True, timeout=60)
    assert "PESADOS []" in r.stdout, r.stdout + r.stderr


@pytest.mark.rapida
def test_la_ayuda_esta_en_espanol():
    from conftest import invocar

    for args in (["--help"], ["db", "--help"], ["asistencia", "registrar", "--help"]):
        r = invocar(None, *args)
        assert r.codigo == 0, r.texto
        assert "Uso: amauta" in r.stdout and "[OPCIONES]" in r.stdout
        assert "Opciones" in r.stdout and "Muestra esta ayuda y termina." in r.stdout
        assert "Show this message" not in r.stdout and "[OPTIONS]" not in r.stdout
    assert "Comandos" in invocar(None, "--help").stdout
