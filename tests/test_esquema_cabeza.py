"""Las constantes con que los comandos de todos los días evitan cargar Alembic y los modelos."""

from __future__ import annotations

import pytest

from amauta_cli.services import esquema


def test_la_cabeza_conocida_es_la_de_las_migraciones():
    """``esquema.CABEZA`` (una consulta, sin Alembic) debe ser la última revisión de migrations/.
    Una migración nueva sube también esta constante."""
    assert esquema.CABEZA == esquema.cabeza()


def test_las_tablas_de_prisma_son_las_de_los_modelos():
    from amauta_cli.models import TABLAS_PRISMA

    assert esquema.TABLAS_PRISMA == TABLAS_PRISMA


def test_los_comandos_de_todos_los_dias_no_cargan_sqlalchemy(bd_seed):
    """asistencia registrar/ver, usuarios listar, calificaciones registrar y db estado hablan
    con el driver a secas: ni SQLAlchemy, ni los modelos, ni Alembic (la mitad del arranque)."""
    import subprocess
    import sys

    comandos = [
        ["db", "estado"],
        ["usuarios", "listar"],
        ["asistencia", "ver", "-g", "4to Grado A"],
        ["asistencia", "registrar", "-g", "4to Grado A", "--fecha", "2024-03-04", "--todos", "PRESENTE"],
        ["calificaciones", "registrar", "-g", "4to Grado A", "-e", "lucas.fernandez@mail.com",
         "--materia", "Historia", "--periodo", "1er Trimestre", "--nota", "8"],
    ]
    for args in comandos:
        codigo = (
            "import sys\n"
            "from amauta_cli.cli.main import app\n"
            f"try:\n    app(['--db-url', {bd_seed.url!r}, *{args!r}], prog_name='amauta')\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "pesados = [m for m in ('sqlalchemy', 'alembic', 'amauta_cli.models', 'bcrypt') if m in sys.modules]\n"
            "print('PESADOS', pesados)\n"
        )
        r = subprocess.run([sys.executable, "-c", codigo], capture_output=True, text=True, timeout=120)
        assert "PESADOS []" in r.stdout, (args, r.stdout[-2000:], r.stderr[-2000:])


@pytest.mark.rapida
def test_ninguna_rama_por_motor_fuera_de_dialecto():
    """Las diferencias entre motores viven en dialecto.py (y la fábrica de motores de db.py):
    ningún servicio ni comando pregunta por el motor (los respaldos, que se separan por motor
    en su propio paquete, quedan fuera de esta revisión)."""
    import re
    from pathlib import Path

    import amauta_cli

    raiz = Path(amauta_cli.__file__).parent
    patron = re.compile(
        r"dialect\.name|_es_pg\b|==\s*[\"'](postgresql|sqlite)[\"']|!=\s*[\"'](postgresql|sqlite)[\"']"
    )
    permitidos = {"dialecto.py", "db.py", "objetivo.py"}
    ramas = []
    for ruta in raiz.rglob("*.py"):
        rel = ruta.relative_to(raiz).as_posix()
        if ruta.name in permitidos or "respaldo" in rel:
            continue
        for n, linea in enumerate(ruta.read_text(encoding="utf-8").splitlines(), 1):
            if patron.search(linea):
                ramas.append(f"{rel}:{n}: {linea.strip()}")
    assert ramas == []
