using System.Text;
using EduVpnActors.Actors.Import;

namespace EduVpnActors.Tests.Import;

/// <summary>Hand-written eduvpn-common state files, shaped as eduvpn-common writes them.</summary>
internal static class StateFiles
{
    /// <summary>A v2 file using every field of §10.2: three server types, last chosen, both discovery caches.</summary>
    public const string FullV2 = """
        {"v2":{
          "server_list":{
            "3,https://custom.example.org/":{
              "profiles":{"map":{
                  "internet":{"display_name":{"en":"Internet","nl":"Internet (NL)"},"default_gateway":true},
                  "office":{"display_name":{"en":"Office"},"default_gateway":false}},
                "current":"internet"},
              "last_authorize_time":"2024-03-01T12:34:56.123456789Z",
              "expire_time":"2024-03-08T12:34:56.123456789+01:00"},
            "1,https://institute.example.org/":{
              "profiles":{"current":""},
              "last_authorize_time":"0001-01-01T00:00:00Z",
              "expire_time":"0001-01-01T00:00:00Z"},
            "2,https://idp.example.org/":{
              "profiles":{"map":{"all":{"display_name":{"en":"All traffic"},"default_gateway":true}},"current":"all"},
              "last_authorize_time":"2024-02-01T08:00:00Z",
              "expire_time":"2024-02-08T08:00:00.5Z",
              "country_code":"nl",
              "location_profiles":{"nl":"all","de":""}}
          },
          "last_chosen_id":"3,https://custom.example.org/",
          "discovery":{
            "organizations":{"v":1700000001,"organization_list":[
                {"org_id":"https://idp.example.org/","display_name":{"en":"Example IdP","nl":"Voorbeeld"},"secure_internet_home":"https://nl.example.org/","keyword_list":{"en":"example"}},
                {"org_id":"https://other.example.org/","display_name":{"en":"Other"},"secure_internet_home":""}],
              "go_timestamp":"2024-03-01T10:00:00.000000001Z","go_update_header":"2024-02-29T09:00:00Z"},
            "servers":{"v":1700000002,"server_list":[
                {"base_url":"https://nl.example.org/","server_type":"secure_internet","display_name":{"en":"The Netherlands"},"country_code":"nl","authentication_url_template":"https://wayf.example.org/?return_to=@RETURN_TO@&entityID=@ORG_ID@","public_key_list":["O53DTgB956magGaWpVCKtdKIMYqywS3FMAC5fHXdFNg="],"support_contact":["mailto:support@example.org"]},
                {"base_url":"https://institute.example.org/","server_type":"institute_access","display_name":"Institute ★","keyword_list":"inst","country_code":"","support_contact":[]}],
              "go_timestamp":"2024-03-01T11:00:00Z","go_update_header":"0001-01-01T00:00:00Z"}}
        }}
        """;

    /// <summary>A v1 file using every field of §10.3.</summary>
    public static string V1(int isSecureInternet, string homeOrganizationId = "https://idp.example.org/", string currentLocation = "nl") => $$$$"""
        {"v1":{
          "discovery":{
            "organizations":{"v":11,"organization_list":[{"org_id":"https://idp.example.org/","display_name":{"en":"Example IdP"},"secure_internet_home":"https://nl.example.org/"}],"go_timestamp":"2023-01-01T00:00:00Z","go_update_header":"0001-01-01T00:00:00Z"},
            "servers":{"v":22,"server_list":[{"base_url":"https://nl.example.org/","server_type":"secure_internet","display_name":{"en":"NL"},"country_code":"nl"}],"go_timestamp":"2023-01-01T00:00:01Z","go_update_header":"2022-12-31T00:00:00Z"}},
          "servers":{
            "custom_servers":{"map":{
                "https://custom.example.org/":{"base":{
                  "base_url":"https://custom.example.org/",
                  "profiles":{"info":{"profile_list":[
                      {"profile_id":"internet","display_name":"Internet","vpn_proto_list":["openvpn","wireguard"],"default_gateway":true,"dns_search_domain_list":["example.org"]},
                      {"profile_id":"office","display_name":"Office","vpn_proto_list":["wireguard"],"default_gateway":false}]},
                    "current_profile":"office"},
                  "start_time":"2023-05-01T10:00:00Z",
                  "start_time_oauth":"0001-01-01T00:00:00Z",
                  "expire_time":"2023-05-01T20:00:00.25Z"}},
                "https://custom2.example.org/":{"base":{"base_url":"https://custom2.example.org/","profiles":{"info":{"profile_list":[]},"current_profile":""},"start_time":"0001-01-01T00:00:00Z","start_time_oauth":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z"}}},
              "current_url":"https://custom.example.org/"},
            "institute_servers":{"map":{
                "https://institute.example.org/":{"base":{
                  "base_url":"https://institute.example.org/",
                  "profiles":{"info":{"profile_list":[{"profile_id":"staff","display_name":"Staff","default_gateway":true}]},"current_profile":"staff"},
                  "start_time":"2023-06-01T10:00:00Z",
                  "start_time_oauth":"2023-06-01T09:59:00.123+02:00",
                  "expire_time":"2023-06-02T10:00:00Z"}}},
              "current_url":"https://institute.example.org/"},
            "secure_internet_home":{
              "base_map":{
                "nl":{"base_url":"https://nl.example.org/","profiles":{"info":{"profile_list":[{"profile_id":"all","display_name":"All","default_gateway":true}]},"current_profile":"all"},"start_time":"2023-07-01T10:00:00Z","start_time_oauth":"2023-07-01T09:00:00Z","expire_time":"2023-07-08T10:00:00Z"},
                "de":{"base_url":"https://de.example.org/","profiles":{"info":{"profile_list":[]},"current_profile":""},"start_time":"2023-07-02T10:00:00Z","start_time_oauth":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z"}},
              "display_name":{"en":"Example IdP"},
              "home_organization_id":"{{{{homeOrganizationId}}}}",
              "current_location":"{{{{currentLocation}}}}"},
            "is_secure_internet":{{{{isSecureInternet}}}}}
        }}
        """;

    public static ImportedState Read(string json) => EduVpnCommonStateReader.Read(Encoding.UTF8.GetBytes(json));

    public static StateImportException ReadFails(string json) =>
        Assert.Throws<StateImportException>(() => Read(json));
}
