"""La caché de Redis de la plataforma: invalidada tras los comandos masivos, avisada tras los de
pocas filas, y nunca un motivo para que falle un comando de base de datos.

Contra el Redis real (``AMAUTA_TEST_REDIS_URL``, por defecto ``redis://127.0.0.1:6379/0``),
cada prueba con su propio prefijo de claves y su propio canal, que se borran al terminar.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import escuela_de_prueba, invocar
from fabrica import GRUPO, LUCAS, VALENTINA, escribir_csv

REDIS_URL = os.environ.get("AMAUTA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIERE_REDIS = bool(os.environ.get("AMAUTA_TEST_REQUIRE_REDIS"))


def _cliente():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def _redis_disponible() -> bool:
    try:
        return bool(_cliente().ping())
    except Exception:  # noqa: BLE001
        return False


class RedisDePrueba:
    """Claves bajo un prefijo único y un archivo de ajustes que apunta los patrones ahí."""

    def __init__(self, tmp_path: Path):
        self.prefijo = f"amauta-test-{uuid.uuid4().hex[:10]}"
        self.canal = f"{self.prefijo}:cambios"
        self.r = _cliente()
        self.ajustes = tmp_path / "ajustes-cache.yaml"
        p = self.prefijo
        patrones = {
            "Usuario": [f"{p}:usuarios:*"],
            "Perfil": [f"{p}:usuarios:*"],
            "Asistencia": [f"{p}:asistencia:*", f"{p}:reportes:*"],
            "Calificacion": [f"{p}:calificaciones:*", f"{p}:reportes:*"],
            "Grupo": [f"{p}:grupos:*"],
        }
        # Las tablas no nombradas no borran nada aquí: sus patrones por defecto (amauta:...)
        # podrían ser de otra sesión que use el mismo Redis.
        from amauta_cli.cache import PATRONES_POR_DEFECTO

        for t in PATRONES_POR_DEFECTO:
            patrones.setdefault(t, [])
        self.ajustes.write_text(
            json.dumps({"cache": {"canal": self.canal, "tiempo_espera": 2, "patrones": patrones}}),
            encoding="utf-8",
        )

    def poner(self, *sufijos: str) -> None:
        for s in sufijos:
            self.r.set(f"{self.prefijo}:{s}", "x")

    def claves(self) -> set[str]:
        return {k.decode() for k in self.r.scan_iter(match=f"{self.prefijo}:*", count=1000)}

    def sin_prefijo(self) -> set[str]:
        return {k.removeprefix(self.prefijo + ":") for k in self.claves()}

    def limpiar(self) -> None:
        for k in list(self.r.scan_iter(match=f"{self.prefijo}*", count=1000)):
            self.r.unlink(k)
        self.r.close()


@pytest.fixture
def rc(tmp_path, monkeypatch):
    if not _redis_disponible():
        if REQUIERE_REDIS:
            pytest.fail(f"Redis no responde en {REDIS_URL} y AMAUTA_TEST_REQUIRE_REDIS está definida")
        pytest.skip("Redis no disponible")
    r = RedisDePrueba(tmp_path)
    monkeypatch.setenv("AMAUTA_AJUSTES", str(r.ajustes))
    monkeypatch.setenv("AMAUTA_REDIS_URL", REDIS_URL)
    yield r
    r.limpiar()


@pytest.fixture
def bd(crear_plantilla):
    return escuela_de_prueba(crear_plantilla, "asistencia")


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CSV = (
    "grupo,email,fecha,estado,observaciones\n"
    f"{GRUPO},{LUCAS},2024-03-04,PRESENTE,\n"
    f"{GRUPO},{VALENTINA},2024-03-04,AUSENTE,\n"
)


def _comandos_redis(r) -> dict[str, int]:
    stats = r.info("commandstats")
    return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}


# --- Comandos masivos: SCAN + UNLINK de los patrones de sus tablas -----------------------------------
def test_importar_borra_solo_las_claves_de_asistencia_y_dice_cuantas(bd, rc, tmp_path):
    rc.poner("asistencia:grupo1", "asistencia:grupo2", "reportes:mes", "usuarios:lucas", "otra:cosa")
    antes = _comandos_redis(rc.r)
    r = invocar(bd.url, "asistencia", "importar", escribir_csv(tmp_path / "a.csv", CSV))
    assert r.codigo == 0, r.texto
    assert bd.contar("Asistencia") == 2
    assert rc.sin_prefijo() == {"usuarios:lucas", "otra:cosa"}
    assert "Caché de Redis" in r.stderr and "3 claves borradas" in r.stderr
    despues = _comandos_redis(rc.r)
    # Nunca KEYS ni FLUSHALL/FLUSHDB: SCAN y UNLINK.
    for prohibido in ("keys", "flushall", "flushdb"):
        assert despues.get(prohibido, 0) == antes.get(prohibido, 0)
    assert despues["scan"] > antes.get("scan", 0)
    assert despues["unlink"] > antes.get("unlink", 0)


def test_calificaciones_cargar_borra_las_claves_de_calificaciones(bd, rc, tmp_path):
    rc.poner("calificaciones:a", "reportes:b", "asistencia:c")
    csv = tmp_path / "notas.csv"
    csv.write_text(f"email,nota\n{LUCAS},8\n{VALENTINA},7\n", encoding="utf-8")
    r = invocar(bd.url, "calificaciones", "cargar", str(csv), "--grupo", GRUPO, "--materia", "Lengua",
                "--periodo", "1er Trimestre")
    assert r.codigo == 0, r.texto
    assert rc.sin_prefijo() == {"asistencia:c"}
    assert "2 claves borradas" in r.stderr


def test_simular_no_toca_la_cache(bd, rc, tmp_path):
    rc.poner("calificaciones:a")
    csv = tmp_path / "notas.csv"
    csv.write_text(f"email,nota\n{LUCAS},8\n", encoding="utf-8")
    r = invocar(bd.url, "calificaciones", "cargar", str(csv), "--grupo", GRUPO, "--materia", "Lengua",
                "--periodo", "1er Trimestre", "--simular")
    assert r.codigo == 0, r.texto
    assert rc.sin_prefijo() == {"calificaciones:a"}


def test_un_restore_invalida_las_claves_de_la_aplicacion(bd, rc, tmp_path):
    r = invocar(bd.url, "db", "backup", "--salida", str(tmp_path / "resp") + "/")
    assert r.codigo == 0, r.texto
    respaldo = next(p for p in (tmp_path / "resp").iterdir() if not p.name.endswith(".json"))
    rc.poner("usuarios:1", "grupos:2", "asistencia:3", "ajena:4")
    r = invocar(bd.url, "db", "restore", str(respaldo), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert rc.sin_prefijo() == {"ajena:4"}
    assert "3 claves borradas" in r.stderr


def test_un_redis_caido_no_hace_fallar_el_comando(bd, rc, tmp_path, monkeypatch):
    monkeypatch.setenv("AMAUTA_REDIS_URL", f"redis://127.0.0.1:{_puerto_libre()}/0")
    r = invocar(bd.url, "asistencia", "importar", escribir_csv(tmp_path / "a.csv", CSV))
    assert r.codigo == 0, r.texto
    assert bd.contar("Asistencia") == 2  # los datos quedaron escritos
    assert "Los datos quedaron escritos, pero no se pudo invalidar la caché" in r.stderr
    assert "no acepta conexiones" in r.stderr
    assert f"amauta cache limpiar --patron '{rc.prefijo}:asistencia:*'" in r.stderr
    assert "Traceback" not in r.texto


def test_un_redis_que_rechaza_la_orden_no_hace_fallar_el_comando(bd, rc, tmp_path, monkeypatch):
    usuario = f"{rc.prefijo}-sin-unlink"
    clave = uuid.uuid4().hex
    rc.r.execute_command("ACL", "SETUSER", usuario, "on", f">{clave}", "~*", "&*", "+@all", "-unlink")
    try:
        rc.poner("asistencia:1")
        monkeypatch.setenv("AMAUTA_REDIS_URL", f"redis://{usuario}:{clave}@127.0.0.1:{REDIS_URL.rsplit(':', 1)[1]}")
        r = invocar(bd.url, "asistencia", "importar", escribir_csv(tmp_path / "a.csv", CSV))
        assert r.codigo == 0, r.texto
        assert bd.contar("Asistencia") == 2
        assert "rechazó la orden" in r.stderr and "amauta cache limpiar" in r.stderr
        assert clave not in r.texto  # la contraseña de la URL nunca se muestra
        assert rc.sin_prefijo() == {"asistencia:1"}
    finally:
        rc.r.execute_command("ACL", "DELUSER", usuario)


def test_sin_redis_configurado_nada_cambia_y_no_se_importa_redis(bd, tmp_path):
    ruta = escribir_csv(tmp_path / "a.csv", CSV)
    codigo = (
        "import sys\n"
        "from amauta_cli.cli.main import app\n"
        "try:\n"
        f"    app(['--db-url', {bd.url!r}, 'asistencia', 'importar', {ruta!r}], prog_name='amauta')\n"
        "except SystemExit as e:\n"
        "    print('salida', e.code, file=sys.stderr)\n"
        "print('redis importado:', 'redis' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("AMAUTA_REDIS_URL", "AMAUTA_AJUSTES")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "sin-config")
    p = subprocess.run([sys.executable, "-c", codigo], capture_output=True, text=True, env=env, timeout=120)
    assert "redis importado: False" in p.stderr, p.stderr
    assert "Caché" not in p.stderr
    assert bd.contar("Asistencia") == 2


# --- Comandos de pocas filas: PUBLISH de tabla e ids -------------------------------------------------
def _suscribir(rc):
    ps = rc.r.pubsub()
    ps.subscribe(rc.canal)
    assert ps.get_message(timeout=2)["type"] == "subscribe"
    return ps


def _mensajes(ps) -> list[dict]:
    fin = time.monotonic() + 3
    vistos = []
    while time.monotonic() < fin:
        m = ps.get_message(timeout=0.3)
        if m and m["type"] == "message":
            vistos.append(json.loads(m["data"]))
        elif vistos and m is None:
            break
    return vistos


def test_editar_un_usuario_publica_su_tabla_y_su_id(bd, rc):
    ps = _suscribir(rc)
    try:
        r = invocar(bd.url, "usuarios", "editar", LUCAS, "--nombre", "Luca")
        assert r.codigo == 0, r.texto
        id_lucas = bd.valor('SELECT id FROM "Usuario" WHERE email = :e', e=LUCAS)
        mensajes = _mensajes(ps)
    finally:
        ps.close()
    usuario = [m for m in mensajes if m["tabla"] == "Usuario"]
    assert usuario and usuario[0]["ids"] == [id_lucas]
    assert usuario[0]["origen"] == "amauta" and usuario[0]["comando"].endswith("usuarios editar")


def test_registrar_asistencia_publica_la_tabla(bd, rc):
    ps = _suscribir(rc)
    try:
        r = invocar(bd.url, "asistencia", "registrar", "--grupo", GRUPO, "--fecha", "2024-03-04",
                    "--presente", LUCAS)
        assert r.codigo == 0, r.texto
        mensajes = _mensajes(ps)
    finally:
        ps.close()
    assert {"tabla": "Asistencia", "ids": None, "cantidad": None}.items() <= next(
        m for m in mensajes if m["tabla"] == "Asistencia"
    ).items()


def test_un_redis_caido_no_hace_fallar_un_comando_de_pocas_filas(bd, rc, monkeypatch):
    monkeypatch.setenv("AMAUTA_REDIS_URL", f"redis://127.0.0.1:{_puerto_libre()}/0")
    r = invocar(bd.url, "usuarios", "editar", LUCAS, "--nombre", "Luca")
    assert r.codigo == 0, r.texto
    assert bd.valor('SELECT nombre FROM "Usuario" WHERE email = :e', e=LUCAS) == "Luca"
    assert "no se pudo avisar el cambio a la caché" in r.stderr
    assert f"{rc.prefijo}:usuarios:*" in r.stderr


def test_un_error_de_datos_no_publica_nada(bd, rc):
    ps = _suscribir(rc)
    try:
        r = invocar(bd.url, "usuarios", "editar", "nadie@mail.com", "--nombre", "X")
        assert r.codigo == 1
        assert _mensajes(ps) == []
    finally:
        ps.close()


# --- amauta cache estado / limpiar ------------------------------------------------------------------------
def test_cache_estado_cuenta_las_claves_de_cada_patron(rc):
    rc.poner("asistencia:1", "asistencia:2", "usuarios:1")
    r = invocar(None, "cache", "estado", "--formato", "json")
    assert r.codigo == 0, r.texto
    datos = json.loads(r.stdout)
    por_patron = {p["patron"]: p["claves"] for p in datos["patrones"]}
    assert por_patron[f"{rc.prefijo}:asistencia:*"] == 2
    assert por_patron[f"{rc.prefijo}:usuarios:*"] == 1
    assert datos["canal"] == rc.canal and datos["version"]
    t = invocar(None, "cache", "estado")
    assert t.codigo == 0 and "Memoria usada" in t.stdout and f"{rc.prefijo}:asistencia:*" in t.stdout


def test_cache_limpiar_pide_confirmacion_y_borra_solo_el_patron(rc):
    rc.poner("asistencia:1", "asistencia:2", "usuarios:1")
    r = invocar(None, "cache", "limpiar", "--patron", f"{rc.prefijo}:asistencia:*")
    assert r.codigo == 1 and "no se confirmó" in r.stderr
    assert len(rc.claves()) == 3
    r = invocar(None, "cache", "limpiar", "--patron", f"{rc.prefijo}:asistencia:*", "--si")
    assert r.codigo == 0, r.texto
    assert rc.sin_prefijo() == {"usuarios:1"}
    assert "2 claves borradas" in r.stderr


def test_cache_limpiar_sin_patron_usa_los_configurados(rc):
    rc.poner("asistencia:1", "usuarios:1", "calificaciones:1", "fuera:1")
    r = invocar(None, "cache", "limpiar", "--si")
    assert r.codigo == 0, r.texto
    assert rc.sin_prefijo() == {"fuera:1"}


def test_cache_sin_redis_configurado_lo_dice(monkeypatch, tmp_path):
    monkeypatch.delenv("AMAUTA_REDIS_URL", raising=False)
    r = invocar(None, "cache", "estado")
    assert r.codigo == 1
    assert "AMAUTA_REDIS_URL" in r.stderr


def test_cache_estado_con_redis_caido_sale_con_1(monkeypatch):
    monkeypatch.setenv("AMAUTA_REDIS_URL", f"redis://127.0.0.1:{_puerto_libre()}/0")
    r = invocar(None, "cache", "estado")
    assert r.codigo == 1 and "no acepta conexiones" in r.stderr and "Traceback" not in r.texto


def test_patrones_de_una_tabla_desconocida_se_rechazan(rc, monkeypatch, tmp_path):
    malo = tmp_path / "malo.yaml"
    malo.write_text("cache:\n  patrones:\n    Alumno: ['x:*']\n", encoding="utf-8")
    monkeypatch.setenv("AMAUTA_AJUSTES", str(malo))
    r = invocar(None, "cache", "estado")
    assert r.codigo == 1 and "cache.patrones.Alumno" in r.stderr and "Asistencia" in r.stderr
