from ensemble_shared.serve import serve

serve("ensemble_identity.main:create_app")
