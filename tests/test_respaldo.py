"""``amauta db backup|backups|verificar-backup|restore`` en SQLite y PostgreSQL.

Ida y vuelta con comparación del contenido completo de cada tabla, cada rechazo con la
base intacta, producción, revisiones, conservación, listado y el respaldo de seguridad
de ``db rollback``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import BaseDePrueba, invocar
from amauta_cli.services import esquema


def respaldar(bd: BaseDePrueba, carpeta: Path, *extra: str) -> Path:
    """``amauta db backup --salida carpeta/``; devuelve el archivo nuevo."""
    previos = set(carpeta.iterdir()) if carpeta.is_dir() else set()
    r = invocar(bd.url, "db", "backup", "--salida", f"{carpeta}/", *extra)
    assert r.codigo == 0, r.texto
    (nuevo,) = [p for p in set(carpeta.iterdir()) - previos if not p.name.endswith(".json")]
    return nuevo


def manifiesto(archivo: Path) -> dict:
    return json.loads(Path(str(archivo) + ".json").read_text(encoding="utf-8"))


def modificar(bd: BaseDePrueba) -> None:
    """Cambios de todo tipo: actualizar, borrar (con cascada) e insertar."""
    bd.ejecutar('UPDATE "Usuario" SET nombre = \'Cambiado\' WHERE email LIKE \'alumno%\'')
    bd.ejecutar('DELETE FROM "Comunicado"')
    bd.ejecutar('DELETE FROM "Recurso"')
    bd.ejecutar('DELETE FROM "Calificacion" WHERE nota < 7')
    bd.ejecutar(
        'INSERT INTO "Categoria" (id, nombre, slug, "createdAt", "updatedAt") '
        "VALUES ('cnueva', 'Nueva', 'nueva', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )


# --- Ida y vuelta ------------------------------------------------------------------------------------
@pytest.mark.rapida
def test_ida_y_vuelta_restaura_cada_fila_igual(bd_datos, tmp_path):
    antes = bd_datos.instantanea()
    assert all(
        antes[t] for t in antes
        if t not in ("_amauta_meta", "_amauta_acceso") and not t.startswith("_amauta_archivo_")
    ), "los datos de prueba cubren las 14 tablas"
    archivo = respaldar(bd_datos, tmp_path / "respaldos")
    modificar(bd_datos)
    cambiada = bd_datos.instantanea()
    assert cambiada != antes

    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si")

    assert r.codigo == 0, r.texto
    assert bd_datos.instantanea() == antes
    assert "Restauración completa" in r.stderr
    assert "iguales al manifiesto" in r.stderr
    # El respaldo de seguridad automático guarda lo que había (la versión cambiada).
    seguridad = [p for p in (tmp_path / "xdg-data" / "amauta" / "respaldos").iterdir()
                 if not p.name.endswith(".json")]
    assert len(seguridad) == 1 and "previo-restore" in seguridad[0].name
    assert str(seguridad[0]) in r.stderr
    m = manifiesto(seguridad[0])
    assert m["motivo"] == "previo-restore"
    # El manifiesto cuenta las tablas de datos (las 14 del diseño y las de amauta); las
    # internas del índice de búsqueda de SQLite (FTS5) se reconstruyen y no se cuentan.
    assert {t: len(f) for t, f in cambiada.items() if t in m["tablas"]} == m["tablas"]
    assert {"Usuario", "Asistencia", "Calificacion", "Comunicado", "Progreso"} <= set(m["tablas"])
    # ...y se puede restaurar para volver atrás.
    r2 = invocar(bd_datos.url, "db", "restore", str(seguridad[0]), "--limpiar", "--si", "--sin-respaldo")
    assert r2.codigo == 0, r2.texto
    assert bd_datos.instantanea() == cambiada


def test_restaurar_en_una_base_vacia_no_pide_limpiar(bd_datos, bd_vacia, tmp_path):
    antes = bd_datos.instantanea()
    archivo = respaldar(bd_datos, tmp_path)
    r = invocar(bd_vacia.url, "db", "restore", str(archivo), "--si")
    assert r.codigo == 0, r.texto
    assert bd_vacia.instantanea() == antes
    assert "respaldo de seguridad" not in r.stderr.lower()


def test_restaurar_en_una_base_migrada_sin_filas_reemplaza_el_esquema(bd_datos, bd, tmp_path):
    antes = bd_datos.instantanea()
    archivo = respaldar(bd_datos, tmp_path)
    r = invocar(bd.url, "db", "restore", str(archivo), "--si")
    assert r.codigo == 0, r.texto
    assert bd.instantanea() == antes


def test_manifiesto_describe_el_archivo(bd_datos, tmp_path):
    archivo = respaldar(bd_datos, tmp_path)
    m = manifiesto(archivo)
    datos = archivo.read_bytes()
    assert m["tipo"] == "amauta-respaldo"
    assert m["motor"] == bd_datos.motor
    assert m["revision"] == esquema.cabeza()
    assert m["sha256"] == hashlib.sha256(datos).hexdigest()
    assert m["tamano"] == len(datos)
    assert m["tablas"] == bd_datos.conteos()
    assert m["filas"] == sum(bd_datos.conteos().values())
    assert m["inicio"] <= m["fin"]
    assert m["version_amauta"]
    assert m["version_servidor"]
    assert archivo.name.startswith("amauta-")
    assert archivo.name.endswith(".dump" if bd_datos.motor == "postgresql" else ".db.gz")
    # Los respaldos tienen datos personales: solo el dueño los lee.
    assert stat.S_IMODE(archivo.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*")), "no quedan archivos temporales"


def test_backup_muestra_el_resultado_en_una_tabla(bd_datos, tmp_path):
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "a.resp"))
    assert r.codigo == 0, r.texto
    for titulo in ("Archivo", "Tamaño", "Duración", "Tablas", "Filas"):
        assert titulo in r.stdout
    assert str(tmp_path / "a.resp") in r.stdout
    assert str(sum(bd_datos.conteos().values())) in r.stdout
    # No sobrescribe un respaldo existente.
    r2 = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "a.resp"))
    assert r2.codigo == 1
    assert "ya existe" in r2.stderr


def test_backup_con_verificar(bd_datos, tmp_path):
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{tmp_path}/", "--verificar")
    assert r.codigo == 0, r.texto
    assert "Verificado" in r.stderr
    assert "✘" not in r.stdout
    if bd_datos.motor == "postgresql":
        assert "amauta_verificar_" not in " ".join(
            n for (n,) in bd_datos.filas("SELECT datname FROM pg_database")
        ), "la base desechable se borró"


# --- Rechazos: la base queda intacta --------------------------------------------------------------
@pytest.fixture
def respaldo_y_antes(bd_datos, tmp_path):
    archivo = respaldar(bd_datos, tmp_path / "r")
    modificar(bd_datos)
    return archivo, bd_datos.instantanea()


def _rechazado(bd, archivo, *extra, texto: str, input: str | None = None, env=None):
    antes = bd.instantanea()
    r = invocar(bd.url, "db", "restore", str(archivo), "--limpiar", "--si", *extra, input=input, env=env)
    assert r.codigo == 1, r.texto
    assert texto in r.stderr, r.stderr
    assert "Traceback" not in r.texto
    assert bd.instantanea() == antes
    return r


def _byte_que_rompe_el_indice(archivo: Path, datos: bytearray) -> int:
    """Una posición del volcado custom cuyo byte cambiado impide a ``pg_restore -l`` leer el
    índice (un largo del índice, por ejemplo): la busca probando con el propio pg_restore."""
    prueba = archivo.with_name("prueba-indice.dump")
    for posicion in range(8, len(datos), 7):
        copia = bytearray(datos)
        copia[posicion] ^= 0x01
        prueba.write_bytes(bytes(copia))
        if subprocess.run(["pg_restore", "-l", str(prueba)], capture_output=True).returncode:
            prueba.unlink()
            return posicion
    pytest.fail("ningún byte cambiado rompe el índice del volcado")


@pytest.mark.rapida
@pytest.mark.parametrize("donde", ["indice", "mitad", "final"])
def test_byte_cambiado_se_rechaza(bd_datos, respaldo_y_antes, donde):
    """Un byte cambiado se rechaza por su SHA-256 caiga donde caiga: en el índice del volcado
    custom (que pg_restore lee primero), en medio o en el último bloque de datos."""
    archivo, _ = respaldo_y_antes
    datos = bytearray(archivo.read_bytes())
    posicion = {"indice": 200, "mitad": len(datos) // 2, "final": len(datos) - 3}[donde]
    if donde == "indice" and bd_datos.motor == "postgresql":
        posicion = _byte_que_rompe_el_indice(archivo, datos)
    datos[posicion] ^= 0x01
    archivo.write_bytes(bytes(datos))
    _rechazado(bd_datos, archivo, texto="dañado: su SHA-256 no coincide")
    r = invocar(bd_datos.url, "db", "verificar-backup", str(archivo))
    assert r.codigo == 1 and "SHA-256 no coincide" in r.stderr


@pytest.mark.parametrize("sin_respaldo", [True, False])
def test_sha_que_no_coincide_se_rechaza_aunque_el_archivo_se_restauraria(bd_datos, respaldo_y_antes, sin_respaldo):
    """El archivo está sano pero el manifiesto dice otro SHA-256: pg_restore lo restauraría
    entero. En PostgreSQL el SHA-256 se calcula mientras se le pasa el archivo (una sola
    lectura) y el final se le entrega solo si coincide: la transacción se deshace."""
    archivo, antes = respaldo_y_antes
    ruta_m = Path(str(archivo) + ".json")
    m = manifiesto(archivo)
    m["sha256"] = hashlib.sha256(b"otro archivo").hexdigest()
    ruta_m.write_text(json.dumps(m), encoding="utf-8")
    r = _rechazado(
        bd_datos, archivo, *(["--sin-respaldo"] if sin_respaldo else []), texto="dañado: su SHA-256 no coincide"
    )
    assert bd_datos.instantanea() == antes
    if bd_datos.motor == "postgresql":
        assert "la base quedó como estaba" in r.stderr


def test_archivo_truncado_se_rechaza(bd_datos, respaldo_y_antes):
    archivo, _ = respaldo_y_antes
    datos = archivo.read_bytes()
    archivo.write_bytes(datos[: len(datos) * 2 // 3])
    _rechazado(bd_datos, archivo, texto="incompleto")


def test_sin_manifiesto_se_rechaza(bd_datos, respaldo_y_antes):
    archivo, _ = respaldo_y_antes
    Path(str(archivo) + ".json").unlink()
    _rechazado(bd_datos, archivo, texto="Falta el manifiesto")


def test_manifiesto_ilegible_se_rechaza(bd_datos, respaldo_y_antes):
    archivo, _ = respaldo_y_antes
    Path(str(archivo) + ".json").write_text('{"tipo": "amauta-respaldo", "motor": ', encoding="utf-8")
    _rechazado(bd_datos, archivo, texto="manifiesto")


def test_archivo_inexistente(bd_datos, tmp_path):
    _rechazado(bd_datos, tmp_path / "no-existe.dump", texto="no existe")


def test_respaldo_del_otro_motor_se_rechaza(bd_datos, tmp_path):
    if bd_datos.motor == "postgresql":
        # Un respaldo SQLite real, hecho por amauta.
        from amauta_cli.services.esquema import migrar

        otra = f"sqlite:///{tmp_path / 'otra.db'}"
        migrar(otra)
        r = invocar(otra, "db", "backup", "--salida", f"{tmp_path}/r/")
        assert r.codigo == 0, r.texto
        archivo = next((tmp_path / "r").glob("*.db.gz"))
    else:
        # Un volcado SQL de pg_dump (sin manifiesto).
        archivo = tmp_path / "volcado.sql"
        archivo.write_text(
            "--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\n"
            "--\n-- PostgreSQL database dump complete\n--\n",
            encoding="utf-8",
        )
    _rechazado(bd_datos, archivo, texto="no se puede restaurar en otro motor")


def test_base_con_datos_sin_limpiar_se_rechaza(bd_datos, respaldo_y_antes):
    archivo, antes = respaldo_y_antes
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--si")
    assert r.codigo == 1
    assert "ya tiene datos" in r.stderr and "--limpiar" in r.stderr
    assert bd_datos.instantanea() == antes


def test_sin_confirmacion_no_toca_nada(bd_datos, respaldo_y_antes):
    archivo, antes = respaldo_y_antes
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", input="n\n")
    assert r.codigo == 1
    assert "cancelada" in r.stderr
    assert bd_datos.instantanea() == antes


def test_produccion_exige_escribir_el_nombre(bd_datos, respaldo_y_antes, tmp_path):
    archivo, _ = respaldo_y_antes
    assert invocar(bd_datos.url, "db", "entorno", "produccion").codigo == 0
    # --si no alcanza; un nombre equivocado tampoco.
    _rechazado(bd_datos, archivo, texto="PRODUCCIÓN")
    r = _rechazado(bd_datos, archivo, texto="marcada como producción", input="otra_base\n")
    assert "no se escribió su nombre" in r.stderr
    assert not (tmp_path / "xdg-data" / "amauta" / "respaldos").exists(), "ni siquiera el respaldo de seguridad"
    # Escribiendo el nombre, sí; y la base sigue marcada como producción aunque el
    # respaldo no lo estuviera.
    from amauta_cli.db import datos_conexion

    nombre = datos_conexion(bd_datos.url).base
    if bd_datos.motor == "sqlite":
        nombre = Path(nombre).name
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si", input=f"{nombre}\n")
    assert r.codigo == 0, r.texto
    assert "conservó la marca de entorno" in r.stderr
    assert bd_datos.valor("SELECT valor FROM \"_amauta_meta\" WHERE clave = 'entorno'") == "produccion"
    assert manifiesto(archivo)["tablas"]["Comunicado"] == bd_datos.contar("Comunicado")


def test_revision_mas_nueva_se_rechaza_salvo_forzar(bd_datos, respaldo_y_antes):
    archivo, antes = respaldo_y_antes
    ruta = Path(str(archivo) + ".json")
    m = json.loads(ruta.read_text())
    m["revision"] = "0099"
    ruta.write_text(json.dumps(m))
    r = _rechazado(bd_datos, archivo, texto="más nueva")
    assert "--forzar" in r.stderr


def test_revision_mas_nueva_sin_manifiesto_se_deshace(bd_datos, tmp_path):
    """Sin manifiesto, la revisión se comprueba dentro de la restauración, que se deshace."""
    bd_datos.ejecutar("UPDATE alembic_version SET version_num = '0099'")
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "ajeno.resp"))
    assert r.codigo == 0, r.texto
    Path(str(tmp_path / "ajeno.resp") + ".json").unlink()
    bd_datos.ejecutar("UPDATE alembic_version SET version_num = '0002'")
    modificar(bd_datos)
    antes = bd_datos.instantanea()
    r = _rechazado(bd_datos, tmp_path / "ajeno.resp", "--sin-respaldo", texto="más nueva")
    assert "no tiene manifiesto" in r.stderr
    r = invocar(bd_datos.url, "db", "restore", str(tmp_path / "ajeno.resp"), "--limpiar", "--si",
                "--sin-respaldo", "--forzar")
    assert r.codigo == 0, r.texto
    assert bd_datos.valor("SELECT version_num FROM alembic_version") == "0099"
    assert "no conoce" in r.stderr
    assert bd_datos.instantanea() != antes


def test_revision_mas_vieja_ofrece_migrate(bd_datos, tmp_path):
    anterior = [s.revision for s in esquema.revisiones()][-2]
    r = invocar(bd_datos.url, "db", "rollback", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    archivo = respaldar(bd_datos, tmp_path)
    assert manifiesto(archivo)["revision"] == anterior
    assert invocar(bd_datos.url, "db", "migrate").codigo == 0
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert "amauta db migrate" in r.stderr
    assert bd_datos.valor("SELECT version_num FROM alembic_version") == anterior


# --- verificar-backup ------------------------------------------------------------------------------
def test_verificar_backup_ok_y_con_diferencias(bd_datos, tmp_path):
    archivo = respaldar(bd_datos, tmp_path)
    r = invocar(bd_datos.url, "db", "verificar-backup", str(archivo))
    assert r.codigo == 0, r.texto
    assert "SHA-256 correcto" in r.stderr
    # Un manifiesto que no coincide con el contenido: se detecta al restaurarlo.
    ruta = Path(str(archivo) + ".json")
    m = json.loads(ruta.read_text())
    m["tablas"]["Asistencia"] += 1
    ruta.write_text(json.dumps(m))
    r = invocar(bd_datos.url, "db", "verificar-backup", str(archivo))
    assert r.codigo == 1
    assert "NO coincide" in r.stderr
    assert "Asistencia: el manifiesto dice" in r.stderr


# --- --conservar y el listado ------------------------------------------------------------------------
def test_conservar_borra_solo_los_respaldos_viejos_de_amauta_de_esta_base(bd_datos, tmp_path):
    carpeta = tmp_path / "r"
    carpeta.mkdir()
    primeros = [respaldar(bd_datos, carpeta) for _ in range(3)]
    # Otros archivos: ajenos, sin manifiesto, y un respaldo de amauta de OTRA base.
    (carpeta / "notas.txt").write_text("no tocar")
    (carpeta / "suelto.dump").write_bytes(b"PGDMP...")
    (carpeta / "amauta-20000101-000000.dump").write_bytes(b"sin manifiesto")
    otra = carpeta / "amauta-19990101-000000-otra.dump"
    shutil.copy(primeros[0], otra)
    m = manifiesto(primeros[0])
    m.update(base="otra_base", inicio="1999-01-01T00:00:00.000+00:00", archivo=otra.name)
    Path(str(otra) + ".json").write_text(json.dumps(m))

    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/", "--conservar", "2")
    assert r.codigo == 0, r.texto

    quedan = {p.name for p in carpeta.iterdir()}
    nuevos = {p.name for p in carpeta.iterdir() if p.name not in
              {x.name for x in primeros} and p.name.endswith((".dump", ".db.gz"))} - {
        "suelto.dump", "amauta-20000101-000000.dump", otra.name}
    assert primeros[0].name not in quedan and primeros[1].name not in quedan
    assert primeros[0].name + ".json" not in quedan
    assert primeros[2].name in quedan and len(nuevos) == 1
    assert {"notas.txt", "suelto.dump", "amauta-20000101-000000.dump", otra.name} <= quedan
    assert "borrado (--conservar 2)" in r.stderr

    # El listado: los de amauta con manifiesto, el más nuevo primero.
    r = invocar(bd_datos.url, "db", "backups", str(carpeta), "--formato", "json")
    assert r.codigo == 0, r.texto
    filas = json.loads(r.stdout)
    assert [f["archivo"] for f in filas] == [nuevos.pop(), primeros[2].name, otra.name]
    assert filas[0]["estado"] == "ok" and filas[0]["motor"] == bd_datos.motor
    assert filas[0]["filas"] == sum(bd_datos.conteos().values())
    assert filas[-1]["base"] == "otra_base"

    otra.unlink()
    r = invocar(bd_datos.url, "db", "backups", str(carpeta), "--formato", "csv")
    lineas = r.stdout.strip().splitlines()
    assert lineas[0].startswith("archivo,ruta,inicio,fin,motor,base")
    assert lineas[-1].endswith("falta el archivo")
    r = invocar(bd_datos.url, "db", "backups", str(carpeta))
    assert "Respaldos en" in r.stdout and primeros[2].name in r.stdout


def test_backups_carpeta_vacia_o_inexistente(bd, tmp_path):
    r = invocar(bd.url, "db", "backups")
    assert r.codigo == 0 and "No hay respaldos" in r.stderr
    r = invocar(bd.url, "db", "backups", str(tmp_path / "nada"))
    assert r.codigo == 1 and "no existe" in r.stderr
    r = invocar(bd.url, "db", "backups", "--formato", "json")
    assert r.codigo == 0 and json.loads(r.stdout) == []


def test_carpeta_por_defecto_y_ajustes(bd_datos, tmp_path, monkeypatch):
    r = invocar(bd_datos.url, "db", "backup")
    assert r.codigo == 0, r.texto
    assert list((tmp_path / "xdg-data" / "amauta" / "respaldos").glob("amauta-*"))
    ajustes = tmp_path / "ajustes.yaml"
    ajustes.write_text(f"respaldos:\n  directorio: {tmp_path / 'otra'}\n  conservar: 1\n")
    monkeypatch.setenv("AMAUTA_AJUSTES", str(ajustes))
    for _ in range(2):
        assert invocar(bd_datos.url, "db", "backup").codigo == 0
    assert len([p for p in (tmp_path / "otra").iterdir() if not p.name.endswith(".json")]) == 1
    ajustes.write_text("respaldos:\n  formatto: sql\n")
    r = invocar(bd_datos.url, "db", "backup")
    assert r.codigo == 1 and "respaldos.formatto no es un ajuste conocido" in r.stderr


# --- rollback toma el respaldo de seguridad ----------------------------------------------------------
def test_rollback_hace_un_respaldo_de_seguridad_antes(bd_datos, tmp_path):
    antes = bd_datos.instantanea()
    r = invocar(bd_datos.url, "db", "rollback", "--revision", "base", "--si")
    assert r.codigo == 0, r.texto
    assert "Respaldo de seguridad:" in r.stderr
    carpeta = tmp_path / "xdg-data" / "amauta" / "respaldos"
    (archivo,) = [p for p in carpeta.iterdir() if not p.name.endswith(".json")]
    assert "previo-rollback" in archivo.name and str(archivo) in r.stderr
    assert bd_datos.conteos() == {}
    # Con él se vuelve al estado anterior al rollback.
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--si")
    assert r.codigo == 0, r.texto
    assert bd_datos.instantanea() == antes


def test_rollback_sin_respaldo(bd_datos, tmp_path):
    r = invocar(bd_datos.url, "db", "rollback", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert not (tmp_path / "xdg-data" / "amauta" / "respaldos").exists()


def test_rollback_de_una_base_sin_datos_no_respalda(bd, tmp_path):
    r = invocar(bd.url, "db", "rollback", "--si")
    assert r.codigo == 0, r.texto
    assert "no hace falta un respaldo" in r.stderr
    assert not (tmp_path / "xdg-data" / "amauta" / "respaldos").exists()


def test_rollback_cancelado_no_respalda(bd_datos, tmp_path):
    antes = bd_datos.instantanea()
    r = invocar(bd_datos.url, "db", "rollback", input="n\n")
    assert r.codigo == 1
    assert bd_datos.instantanea() == antes
    assert not (tmp_path / "xdg-data" / "amauta" / "respaldos").exists()


def test_ida_y_vuelta_con_los_datos_del_seed(bd_seed, tmp_path):
    """Los datos de desarrollo de ``amauta seed`` (``bd_seed``) también vuelven idénticos."""
    antes = bd_seed.instantanea()
    archivo = respaldar(bd_seed, tmp_path / "r")
    modificar(bd_seed)
    r = invocar(bd_seed.url, "db", "restore", str(archivo), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert bd_seed.instantanea() == antes


def test_backups_a_80_columnas(bd_datos, tmp_path):
    """Con la terminal angosta el listado se lee (las columnas que no entran van debajo) y
    el SHA-256, más ancho que la terminal junto al nombre, no rompe nada."""
    archivo = respaldar(bd_datos, tmp_path / "r")
    r = invocar(bd_datos.url, "db", "backups", str(tmp_path / "r"), env={"COLUMNS": "80"})
    assert r.codigo == 0, r.texto
    primera = r.stdout.splitlines()[1]
    assert all(t in primera for t in ("Archivo", "Fecha", "Filas", "Tamaño", "Estado"))
    assert manifiesto(archivo)["sha256"] in r.stdout
    assert " kB" in r.stdout and "KB" not in r.stdout
