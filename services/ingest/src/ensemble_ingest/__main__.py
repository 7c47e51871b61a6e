from ensemble_shared.serve import serve

serve("ensemble_ingest.main:create_app")
