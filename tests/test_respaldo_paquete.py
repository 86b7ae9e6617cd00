"""La forma del paquete de respaldos (issue 10, punto 9): un flujo sin ramas por motor,
un módulo por motor con la misma interfaz, y sin ciclo de importación entre ``cli/db`` y
``cli/respaldo``."""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

INTERFAZ = (
    "EXTENSIONES", "elegir_formato", "describir_destino", "tiene_datos", "preparar_respaldo",
    "respaldar", "planificar", "restaurar", "verificar", "carpetas_de_restos",
    "restos_servidor", "borrar_restos_servidor",
)


@pytest.mark.rapida
def test_cli_respaldo_no_importa_cli_db():
    codigo = "import sys, amauta_cli.cli.respaldo; print('amauta_cli.cli.db' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", codigo], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def test_db_registra_los_comandos_de_respaldo():
    from amauta_cli.cli import db

    nombres = {c.name for c in db.app.registered_commands}
    assert {"backup", "backups", "verificar-backup", "restore", "migrate", "rollback"} <= nombres


@pytest.mark.parametrize("nombre", ["postgresql", "sqlite"])
def test_cada_motor_ofrece_la_misma_interfaz(nombre):
    from amauta_cli.services.respaldo import motor_respaldo

    modulo = motor_respaldo(nombre)
    assert modulo.__name__.endswith(nombre)
    assert [n for n in INTERFAZ if not hasattr(modulo, n)] == []


def test_el_flujo_no_pregunta_por_el_motor():
    """Ningún literal 'postgresql'/'sqlite' en el flujo: el motor se busca por nombre."""
    from amauta_cli.services.respaldo import flujo

    fuente = Path(flujo.__file__).read_text(encoding="utf-8")
    literales = [
        t.string for t in tokenize.generate_tokens(io.StringIO(fuente).readline)
        if t.type == tokenize.STRING and not t.string.startswith(('"""', "'''"))
    ]
    assert not [s for s in literales if "postgres" in s.lower() or "sqlite" in s.lower()]
