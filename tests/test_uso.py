"""Errores de uso en español, siempre con código 2; ayuda con marcadores en español y
autocompletado disponible (y en español)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import invocar

#: Restos del inglés de click/Typer que no deben aparecer nunca.
INGLES = (
    "Missing",
    "No such",
    "Try '",
    "for help",
    "Invalid value",
    "is not",
    "Did you mean",
    "Possible options",
    "requires an argument",
    "unexpected extra",
    "Error: Got",
    "<int",
    "<str>",
    "<float",
    "<path>",
    "x>=",
    "Install completion",
    "Show completion",
)


def _sin_ingles(texto: str) -> None:
    for resto in INGLES:
        assert resto not in texto, f"{resto!r} en:\n{texto}"


@pytest.mark.rapida
@pytest.mark.parametrize(
    "args,esperado",
    [
        (["usuarios", "crear", "--email", "a@b.com"], "Falta la opción obligatoria '--nombre' / '-n'."),
        (["calificaciones", "registrar", "--grupo", "x"], "Falta la opción obligatoria"),
        (["usuarios", "listar", "--rols", "x"], "No existe la opción --rols. ¿Quiso decir --rol?"),
        (["--nada"], "No existe la opción --nada."),
        (["usuarioss"], "No existe el comando 'usuarioss'. ¿Quiso decir 'usuarios'?"),
        (["db", "migrat"], "No existe el comando 'migrat'. ¿Quiso decir 'migrate'?"),
        (
            ["usuarios", "listar", "--formato", "excelx"],
            "'excelx' no es un valor permitido; use tabla, json, csv o excel.",
        ),
        (["db", "rollback", "--pasos", "0"], "0 está fuera del rango permitido (1 o más)."),
        (["db", "rollback", "--pasos", "x"], "'x' no es un número entero."),
        (["db", "rollback", "--revision"], "La opción '--revision' necesita un valor."),
        (["usuarios", "listar", "sobra"], "Sobran argumentos que no se esperaban: sobra."),
        (["usuarios", "listar", "--por-pagina", "20000"], "20000 está fuera del rango permitido (de 1 a 10000)."),
        (["usuarios", "listar", "--activos", "--inactivos"], "no ambos"),
        (["instituciones", "listar", "--activas", "--inactivas"], "no ambas"),
        (["asistencia", "reporte", "--grupo", "x"], "--mes AAAA-MM"),
    ],
)
def test_errores_de_uso_en_espanol_con_codigo_2(args, esperado, tmp_path):
    r = invocar(f"sqlite:///{tmp_path / 'x.db'}", *args)
    assert r.codigo == 2, r.texto
    assert esperado in r.stderr, r.stderr
    assert "Uso: amauta" in r.stderr
    assert "Para ver la ayuda: amauta" in r.stderr and " -h" in r.stderr
    _sin_ingles(r.texto)
    assert r.excepcion is None


def test_la_pista_de_ayuda_nombra_el_comando():
    r = invocar(None, "db", "rollback", "--pasos", "0")
    assert "Para ver la ayuda: amauta db rollback -h" in r.stderr


def _ayudas(grupo=None) -> list[list[str]]:
    """Todos los comandos de amauta (para revisar sus ayudas)."""
    from amauta_cli.cli.main import GRUPOS

    todos = [["--help"], ["seed", "--help"]]
    for g in GRUPOS:
        todos.append([g, "--help"])
        import importlib

        modulo = importlib.import_module(GRUPOS[g])
        for c in modulo.app.registered_commands:
            nombre = c.name or c.callback.__name__.replace("_", "-")
            todos.append([g, nombre, "--help"])
    return todos


def test_ninguna_ayuda_tiene_marcadores_en_ingles():
    vistos = set()
    for args in _ayudas():
        r = invocar(None, *args)
        assert r.codigo == 0, (args, r.texto)
        _sin_ingles(r.stdout)
        vistos.update(w for w in ("TEXTO", "ENTERO", "RUTA", "NÚMERO") if w in r.stdout)
    assert vistos >= {"TEXTO", "ENTERO", "RUTA"}


def test_rango_y_tipos_en_la_ayuda():
    r = invocar(None, "db", "rollback", "--help")
    assert "ENTERO [1 o más]" in r.stdout
    assert "TEXTO" in r.stdout
    r = invocar(None, "db", "restore", "--help")
    assert "RUTA" in r.stdout and "ARCHIVO:" not in r.stdout


def test_autocompletado_disponible_y_en_espanol(tmp_path):
    r = invocar(None, "--help")
    assert "--install-completion" in r.stdout and "--show-completion" in r.stdout
    assert "Instala el autocompletado" in r.stdout
    _sin_ingles(r.stdout)
    amauta = str(Path(sys.executable).parent / "amauta")
    env = {k: v for k, v in os.environ.items() if not k.startswith("_AMAUTA")}
    guion = subprocess.run(
        [amauta, "--show-completion"], env={**env, "SHELL": "/bin/bash"},
        capture_output=True, text=True, timeout=60,
    )
    assert guion.returncode == 0, guion.stderr
    assert "_amauta_completion" in guion.stdout

    def completar(*palabras: str) -> list[str]:
        r = subprocess.run(
            [amauta],
            env={**env, "_AMAUTA_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(("amauta", *palabras)),
                 "COMP_CWORD": str(len(palabras))},
            capture_output=True, text=True, timeout=60,
        )
        return r.stdout.split()

    assert completar("usu") == ["usuarios"]
    assert completar("asistencia", "reg") == ["registrar"]
    assert "--formato" in completar("usuarios", "listar", "--for")
