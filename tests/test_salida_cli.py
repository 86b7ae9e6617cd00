"""Lo que la oficina ve todos los días (issue 10, punto 2): tablas legibles a 80 columnas,
números y fechas en castellano en todos los formatos humanos, plurales, texto del usuario que
nunca es marcado, ayudas correctas y un README cuyo ejemplo funciona con el seed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import invocar

GRUPO = "4to Grado A"
VALENTINA = "valentina.ruiz@mail.com"
RAIZ = Path(__file__).resolve().parent.parent


@pytest.fixture
def amauta(bd_seed):
    def correr(*args: str, columnas: int | None = None, input: str | None = None):
        env = {"COLUMNS": str(columnas)} if columnas else None
        return invocar(bd_seed.url, *args, input=input, env=env)

    return correr


@pytest.mark.rapida
def test_alertas_a_80_columnas_sin_titulos_ni_emails_cortados(amauta):
    r = amauta("asistencia", "alertas", "--limite", "1", "--desde", "2000-01-01", columnas=80)
    assert r.codigo == 0, r.texto
    lineas = r.stdout.splitlines()
    assert lineas and all(len(linea) <= 80 for linea in lineas), r.stdout
    assert "…" not in r.stdout
    encabezados = " ".join(lineas[:4])
    for titulo in ("Apellido", "Nombre", "Inasistencias", "Situación"):
        assert titulo in encabezados
    assert any(VALENTINA in linea for linea in lineas)  # el email entero, en una línea
    assert "Institución" in r.stdout and "Grupo" in r.stdout  # nada se pierde: pasan abajo


@pytest.mark.parametrize(
    "args",
    [
        ("usuarios", "listar"),
        ("grupos", "listar"),
        ("instituciones", "listar"),
        ("asistencia", "pendientes", "--fecha", "2024-03-04"),
        ("asistencia", "ver", "-g", GRUPO),
        ("asistencia", "reporte", "-g", GRUPO, "--desde", "2000-01-01"),
        ("calificaciones", "reporte", "-g", GRUPO),
        ("calificaciones", "desaprobados"),
    ],
)
def test_listados_a_80_columnas(amauta, bd_seed, args):
    r = amauta(*args, columnas=80)
    assert r.codigo == (3 if args[1] == "pendientes" else 0), r.texto  # 3: hay algo pendiente
    assert all(len(linea) <= 80 for linea in r.stdout.splitlines()), r.stdout
    assert "…" not in r.stdout
    emails = {e for (e,) in bd_seed.filas('SELECT email FROM "Usuario" UNION SELECT email FROM "Institucion"')}
    vistos = re.findall(r"[\w.-]+@[\w.-]+\.\w+", r.stdout)
    assert set(vistos) <= emails, vistos  # cada email, entero


def test_mismo_numero_con_coma_en_tabla_html_y_pie(amauta, tmp_path):
    pagina = tmp_path / "r.html"
    r = amauta("asistencia", "reporte", "-g", GRUPO, "--desde", "2000-01-01", "--html", str(pagina))
    assert r.codigo == 0, r.texto
    valentina = next(linea for linea in r.stdout.splitlines() if VALENTINA in linea)
    assert "1,5" in valentina and "1.5" not in r.stdout
    assert "TARDANZA 0,5" in r.stdout  # el pie
    html = pagina.read_text(encoding="utf-8")
    assert ">1,5<" in html and ">1.5<" not in html and "TARDANZA 0,5" in html
    j = amauta("asistencia", "reporte", "-g", GRUPO, "--desde", "2000-01-01", "-f", "csv")
    assert ",1.5," in j.stdout  # para scripts, punto decimal


def test_respaldo_y_seed_con_tamanos_y_duraciones_en_castellano(amauta, tmp_path):
    r = amauta("db", "backup", "--salida", f"{tmp_path}/")
    assert r.codigo == 0, r.texto
    assert re.search(r"\d+,\d (B|kB|MB)\b", r.stdout), r.stdout
    assert re.search(r"\b\d+,\d+ s\b", r.stdout), r.stdout
    assert not re.search(r"\d\.\d (KB|kB|MB|s)\b", r.stdout)
    r = amauta("seed")
    assert r.codigo == 0, r.texto
    assert re.search(r"en \d+,\d s\.$|en \d+ s\.$|en \d+ min( \d+ s)?\.$", r.stdout.strip().splitlines()[-1]), r.stdout
    assert re.search(r"del \d\d/\d\d/\d{4} al \d\d/\d\d/\d{4}\.", r.stderr), r.stderr


def test_plurales_sin_parentesis(amauta, tmp_path):
    ruta = tmp_path / "una.csv"
    ruta.write_text(f"email,nota\n{VALENTINA},9\n", encoding="utf-8")
    r = amauta("calificaciones", "cargar", str(ruta), "-g", GRUPO, "-m", "Lengua", "-p", "1er Trimestre")
    assert r.codigo == 0, r.texto
    assert "1 nota leída" in r.stderr and "1 creada, 0 actualizadas" in r.stderr
    assert "(s)" not in r.texto and "1 notas" not in r.texto and "1 creadas" not in r.texto


MARCADO = {"nombre": "[/]", "apellido": "[link=http://malo.example]Ruiz[/link] [bold]"}


@pytest.mark.rapida
def test_el_texto_del_usuario_nunca_es_marcado(amauta, bd_seed):
    bd_seed.ejecutar(
        'UPDATE "Usuario" SET nombre = :n, apellido = :a WHERE email = :e',
        n=MARCADO["nombre"], a=MARCADO["apellido"], e=VALENTINA,
    )
    bd_seed.ejecutar('UPDATE "Institucion" SET nombre = :n', n="[/] Escuela [red]Nº 42")
    bd_seed.ejecutar('UPDATE "Grupo" SET grado = :g', g="[/i]")
    for args in (
        ("usuarios", "ver", VALENTINA),
        ("grupos", "ver", GRUPO),
        ("instituciones", "ver", "[/] Escuela [red]Nº 42"),
        ("usuarios", "listar"),
        ("asistencia", "ver", "-g", GRUPO),
    ):
        r = amauta(*args)
        assert r.codigo == 0, (args, r.texto)
        assert "MarkupError" not in r.texto and "inesperado" not in r.texto
        texto = r.stdout
        assert ("[/]" in texto) and (MARCADO["apellido"] in texto or "[/] Escuela [red]Nº 42" in texto), (args, texto)


def test_ayuda_de_institucion_en_pendientes_y_alertas(amauta):
    for comando in ("pendientes", "alertas"):
        r = amauta("asistencia", comando, "--help", columnas=200)
        assert r.codigo == 0, r.texto
        ayuda = " ".join(r.stdout.split())
        assert "Solo los grupos de esta institución" in ayuda, ayuda
        assert "si el nombre del grupo se repite" not in ayuda


def _ejemplo_de_registrar() -> tuple[list[str], str]:
    """El primer ejemplo de `asistencia registrar --todos` del README y la salida que promete."""
    texto = (RAIZ / "README.md").read_text(encoding="utf-8")
    bloque = next(
        b for b in re.findall(r"```bash\n(.*?)```", texto, re.S) if "amauta asistencia registrar" in b and "--todos" in b
    )
    comando = re.sub(r"\\\n\s*", " ", bloque.split("\n#")[0]).strip()
    promesa = re.search(r"^# (✔ .*)$", bloque, re.M).group(1)
    return shlex.split(comando)[1:], promesa


def test_el_ejemplo_de_registrar_del_readme_funciona_con_el_seed(amauta):
    args, promesa = _ejemplo_de_registrar()
    r = amauta(*args)
    assert r.codigo == 0, r.texto
    assert promesa in r.stderr
