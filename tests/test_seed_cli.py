"""``amauta seed`` desde la línea de comandos: salida en cada formato, confirmación de
--reset, rechazos en producción, archivos mal formados y el comando instalado."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import invocar

from amauta_cli.db import enmascarar_url
from amauta_cli.services import seed

BASE = yaml.safe_load(seed.ruta_por_defecto().read_text(encoding="utf-8"))
ENTIDADES = [
    "Usuario",
    "Perfil",
    "Categoria",
    "Institucion",
    "Curso",
    "Leccion",
    "Grupo",
    "GrupoEstudiante",
    "Inscripcion",
    "Progreso",
    "Asistencia",
    "Calificacion",
    "Comunicado",
]


def test_primera_corrida_migra_y_muestra_la_tabla(bd_vacia):
    r = invocar(bd_vacia.url, "seed")
    assert r.codigo == 0, r.texto
    assert "Llevando el esquema a la última revisión" in r.stderr
    from amauta_cli.services.esquema import revisiones

    assert f"Migraciones aplicadas: {', '.join(x.revision for x in revisiones())}." in r.stderr
    assert "Asistencia de los últimos 5 días hábiles" in r.stderr
    for etiqueta in (
        "Entidad",
        "Creadas",
        "Actualizadas",
        "Sin cambios",
        "Usuarios",
        "Estudiantes de grupos",
    ):
        assert etiqueta in r.stdout
    assert "Total: 67 creadas, 0 actualizadas, 0 sin cambios, en " in r.stdout
    assert "Amauta2024!" not in r.texto  # la contraseña nunca se muestra


def test_json_estable_y_segunda_corrida_sin_cambios(cli_seed):
    r = cli_seed("seed", "--formato", "json")
    assert r.codigo == 0, r.texto
    d = json.loads(r.stdout)
    assert set(d) == {
        "base",
        "archivo",
        "reset",
        "migraciones_aplicadas",
        "entidades",
        "totales",
        "fechas_asistencia",
        "segundos",
    }
    assert [e["tabla"] for e in d["entidades"]] == ENTIDADES
    assert d["totales"] == {"creadas": 0, "actualizadas": 0, "sin_cambios": 67, "eliminadas": 0}
    assert d["reset"] is False and d["migraciones_aplicadas"] == []
    assert len(d["fechas_asistencia"]) == 5 and isinstance(d["segundos"], float)
    assert "ya estaba al día" in r.stderr


def test_csv(cli_seed):
    r = cli_seed("seed", "-f", "csv")
    assert r.codigo == 0, r.texto
    lineas = r.stdout.strip().splitlines()
    assert lineas[0] == "tabla,creadas,actualizadas,sin_cambios,eliminadas"
    assert lineas[1] == "Usuario,0,0,8,0" and len(lineas) == 14


def test_reset_pregunta_nombrando_la_base_y_no_sigue_sin_confirmar(cli_seed, bd_seed):
    bd_seed.ejecutar('DELETE FROM "Calificacion"')
    antes = bd_seed.instantanea()
    r = cli_seed("seed", "--reset", input="n\n")
    assert r.codigo == 1
    assert (
        f"--reset borra TODAS las tablas, tipos y datos de {enmascarar_url(bd_seed.url)}"
        in r.stderr
    )
    assert "Operación cancelada" in r.stderr
    assert bd_seed.instantanea() == antes


def test_reset_confirmado_y_con_si(cli_seed, bd_seed):
    bd_seed.ejecutar('DELETE FROM "Calificacion"')
    r = cli_seed("seed", "--reset", input="s\n")
    assert r.codigo == 0, r.texto
    assert "Borrando todas las tablas y tipos" in r.stderr
    assert bd_seed.contar("Calificacion") == 4
    r = cli_seed("seed", "--reset", "--si", "--formato", "json")
    assert r.codigo == 0, r.texto
    d = json.loads(r.stdout)
    assert d["reset"] is True and d["totales"]["creadas"] == 67
    assert "¿Continuar?" not in r.stderr


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_la_url_con_contrasena_se_muestra_enmascarada(bd_seed):
    url = bd_seed.url.replace(
        "postgres@", "postgres:secreto-xyz@", 1
    )  # el servidor de pruebas confía
    r = invocar(url, "seed", "--reset", input="n\n")
    assert r.codigo == 1
    assert "postgres:***@" in r.stderr and "secreto-xyz" not in r.texto


@pytest.mark.parametrize("args", [("seed",), ("seed", "--reset", "--si")])
def test_base_de_produccion_rechazada_sin_tocar_nada(cli_seed, bd_seed, args):
    assert cli_seed("db", "entorno", "produccion").codigo == 0
    bd_seed.ejecutar('DELETE FROM "Calificacion"')
    antes = bd_seed.instantanea()
    r = cli_seed(*args)
    assert r.codigo == 1
    assert "se rechaza porque esta base está marcada como producción" in r.stderr
    assert "amauta db entorno desarrollo" in r.stderr  # cómo seguir a propósito
    assert "¿Continuar?" not in r.stderr  # ni siquiera pregunta
    assert bd_seed.instantanea() == antes


@pytest.mark.parametrize("args", [("seed",), ("seed", "--reset", "--si")])
def test_amauta_env_produccion_rechazada(cli_seed, bd_seed, args):
    antes = bd_seed.instantanea()
    r = cli_seed(*args, env={"AMAUTA_ENV": "produccion"})
    assert r.codigo == 1
    assert "AMAUTA_ENV vale 'produccion'" in r.stderr and "unset AMAUTA_ENV" in r.stderr
    assert bd_seed.instantanea() == antes


def _roto(cambio):
    d = copy.deepcopy(BASE)
    cambio(d)
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)


MALFORMADOS = {
    "rol": (
        _roto(lambda d: d["usuarios"][3].update(rol="PROFESOR")),
        "usuarios[3].rol: 'PROFESOR' no es un rol válido",
    ),
    "email_en_grupo": (
        _roto(lambda d: d["grupos"][0]["estudiantes"].append("nadie@mail.com")),
        "el email 'nadie@mail.com' no está en usuarios: del archivo",
    ),
    "falta_campo": (
        _roto(lambda d: d["cursos"][0].pop("titulo")),
        "cursos[0]: falta el campo obligatorio 'titulo'",
    ),
    "fecha": (
        _roto(lambda d: d["usuarios"][0].update(createdAt="ayer a la tarde")),
        "usuarios[0].createdAt: 'ayer a la tarde' no es una fecha válida",
    ),
    "yaml": ("usuarios: [\n", "no es YAML válido"),
}


@pytest.mark.parametrize("caso", list(MALFORMADOS))
def test_archivo_mal_formado_no_toca_la_base(cli_seed, bd_seed, tmp_path, caso):
    texto, esperado = MALFORMADOS[caso]
    ruta = tmp_path / "malo.yaml"
    ruta.write_text(texto, encoding="utf-8")
    bd_seed.ejecutar('DELETE FROM "Calificacion"')  # el seed la restablecería si llegara a escribir
    antes = bd_seed.instantanea()
    for args in (
        ("seed", "--archivo", str(ruta)),
        ("seed", "--reset", "--si", "--archivo", str(ruta)),
    ):
        r = cli_seed(*args)
        assert r.codigo == 1, r.texto
        assert esperado in r.stderr, r.stderr
        assert "Traceback" not in r.texto
        assert bd_seed.instantanea() == antes


@pytest.mark.rapida
def test_archivo_inexistente(cli_seed):
    r = cli_seed("seed", "--archivo", "/no/existe.yaml")
    assert r.codigo == 1 and "No existe el archivo de datos /no/existe.yaml" in r.stderr


def test_otro_archivo(cli, bd, tmp_path):
    ruta = tmp_path / "mini.yaml"
    ruta.write_text(
        "password: 'Otra-Clave-2025'\n"
        "usuarios:\n  - {email: ana@mail.com, nombre: Ana, apellido: Paz, rol: EDUCADOR}\n"
        "categorias:\n  - {nombre: Música, slug: musica}\n",
        encoding="utf-8",
    )
    r = cli("seed", "--archivo", str(ruta), "--formato", "json")
    assert r.codigo == 0, r.texto
    assert json.loads(r.stdout)["totales"]["creadas"] == 3  # usuario, perfil y categoría
    assert bd.filas('SELECT email, rol FROM "Usuario"') == [("ana@mail.com", "EDUCADOR")]
    assert bd.contar("Asistencia") == 0


def test_ayuda_rapida_sin_importar_sqlalchemy_ni_bcrypt():
    codigo = (
        "import sys; from amauta_cli.cli import main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy','bcrypt','alembic','yaml','rich')))"
    )
    salida = subprocess.run(
        [sys.executable, "-c", codigo], capture_output=True, text=True, check=True
    ).stdout
    assert salida.strip() == "[]"


def _amauta() -> list[str]:
    script = Path(sys.executable).parent / "amauta"
    return [str(script)] if script.exists() else [sys.executable, "-m", "amauta_cli"]


def test_de_punta_a_punta_con_el_comando_instalado(bd_vacia, tmp_path):
    env = dict(os.environ, AMAUTA_DATABASE_URL=bd_vacia.url)
    env.pop("AMAUTA_ENV", None)
    r1 = subprocess.run(
        _amauta() + ["seed", "--reset", "--si"], capture_output=True, text=True, env=env
    )
    assert r1.returncode == 0, r1.stderr
    r2 = subprocess.run(
        _amauta() + ["seed", "--formato", "json"], capture_output=True, text=True, env=env
    )
    assert r2.returncode == 0, r2.stderr
    d = json.loads(r2.stdout)
    assert d["totales"] == {"creadas": 0, "actualizadas": 0, "sin_cambios": 67, "eliminadas": 0}
    assert d["base"] == enmascarar_url(bd_vacia.url)
