//! Less paperwork in the store, on SQLite and (when configured) PostgreSQL.
use duban_domain::paperwork::{Kind, Metric};
use duban_store::{Actor, StoreError, testing};

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn the_registry_compares_years_and_the_gate_refuses_computed_figures() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        // the seed's figures come out of the demo registry
        let counts = store
            .paperwork_counts(&spp, false, d("2020-01-01"), d("2020-09-30"))
            .await
            .unwrap();
        let get = |k: &str| counts.iter().find(|c| c.kind == k).unwrap();
        assert_eq!((get("发文").this, get("发文").before), (64, 70), "{name}");
        assert_eq!(get("发文").change_text(), "−8.6%");
        assert_eq!(
            (get("会议").this, get("会议").change_text()),
            (5, "−37.5%".to_string())
        );
        assert_eq!(get("集体学习").this, 8 + 18, "{name}");
        assert_eq!(get("调研").this, 55, "{name}");
        // registering: in scope only, titles required, no future dates
        let actor = Actor::system("test");
        let scope = duban_store::Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: false,
        };
        store
            .add_paperwork(
                &actor,
                &scope,
                &spp,
                Kind::Meeting,
                d("2020-09-01"),
                "全国检察长座谈会",
                "",
                "",
            )
            .await
            .unwrap();
        let counts = store
            .paperwork_counts(&spp, false, d("2020-01-01"), d("2020-09-30"))
            .await
            .unwrap();
        assert_eq!(counts.iter().find(|c| c.kind == "会议").unwrap().this, 6);
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let small = duban_store::Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: false,
        };
        assert!(matches!(
            store
                .add_paperwork(
                    &actor,
                    &small,
                    &spp,
                    Kind::Meeting,
                    d("2020-09-01"),
                    "x",
                    "",
                    ""
                )
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .add_paperwork(
                    &actor,
                    &scope,
                    &spp,
                    Kind::Meeting,
                    d("2099-01-01"),
                    "x",
                    "",
                    ""
                )
                .await
                .is_err()
        );
        // the gate: a computed figure is refused (and the refusal kept), another passes
        let Err(StoreError::Invalid(m)) = store
            .request_data(&actor, spp.id, "请报送各院案件比", Metric::CaseRatio, "")
            .await
        else {
            panic!("{name}: computed figures are not asked for")
        };
        assert!(m.contains("/quality"), "{m}");
        store
            .request_data(
                &actor,
                spp.id,
                "请报送典型案例材料",
                Metric::Other,
                "每院一件",
            )
            .await
            .unwrap();
        let list = store.data_requests(&scope).await.unwrap();
        assert_eq!(list.len(), 2);
        assert!(!list[0].refused && list[1].refused, "{name}");
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}
