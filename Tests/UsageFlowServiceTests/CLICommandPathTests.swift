// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import ProtoWire
import Testing
@testable import UsageFlowServer

@Suite("CLI command names for RPCs")
struct CLICommandPathTests {
    @Test("every RPC of the four role services maps to exactly one distinct command")
    func completeAndUnique() throws {
        var seen: [CommandPath: String] = [:]
        var count = 0
        for service in APIDescriptors.services {
            #expect(!service.methods.isEmpty)
            for method in service.methods {
                count += 1
                let path = try #require(
                    CommandPath(service: method.service, method: method.name), "\(method.path) has no command")
                #expect(seen[path] == nil, "\(method.path) and \(seen[path] ?? "") both map to \(path)")
                seen[path] = method.path
            }
        }
        #expect(seen.count == count)
        #expect(Set(APIDescriptors.services.map(\.name)) == [
            "usageflow.v1.AdminService", "usageflow.v1.VendorService", "usageflow.v1.DistributorService",
            "usageflow.v1.ResellerService",
        ])
    }

    @Test("command words are lower-case kebab-case")
    func kebabCase() throws {
        for service in APIDescriptors.services {
            for method in service.methods {
                let path = try #require(CommandPath(service: method.service, method: method.name))
                for word in [path.role, path.resource, path.verb] {
                    #expect(!word.isEmpty && word.allSatisfy { $0 == "-" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) })
                    #expect(!word.hasPrefix("-") && !word.hasSuffix("-"))
                }
            }
        }
    }

    @Test(
        "conventions and exceptions",
        arguments: [
            ("usageflow.v1.VendorService", "CreateItem", "vendor items create"),
            ("usageflow.v1.VendorService", "ListItems", "vendor items list"),
            ("usageflow.v1.VendorService", "GetProduct", "vendor products get"),
            ("usageflow.v1.VendorService", "AcceptContract", "vendor contracts accept"),
            ("usageflow.v1.VendorService", "RequestListing", "vendor listings request"),
            ("usageflow.v1.VendorService", "EndItemSale", "vendor items end-sale"),
            ("usageflow.v1.VendorService", "DeleteItem", "vendor items delete"),
            ("usageflow.v1.VendorService", "ListSubscriptions", "vendor subscriptions list"),
            ("usageflow.v1.AdminService", "CreateApiKey", "admin keys create"),
            ("usageflow.v1.AdminService", "ListApiKeys", "admin keys list"),
            ("usageflow.v1.AdminService", "RevokeApiKey", "admin keys revoke"),
            ("usageflow.v1.AdminService", "ListAccounts", "admin accounts list"),
            ("usageflow.v1.DistributorService", "CreateResellerKey", "distributor reseller-keys create"),
            ("usageflow.v1.DistributorService", "ListResellerKeys", "distributor reseller-keys list"),
            ("usageflow.v1.DistributorService", "CreateServiceIdentity", "distributor identities create"),
            ("usageflow.v1.DistributorService", "ListServiceIdentities", "distributor identities list"),
            ("usageflow.v1.DistributorService", "RevokeServiceIdentity", "distributor identities revoke"),
            ("usageflow.v1.DistributorService", "CreateMarketplace", "distributor marketplaces create"),
            ("usageflow.v1.DistributorService", "SuspendSubscription", "distributor subscriptions suspend"),
            ("usageflow.v1.DistributorService", "CloseRecord", "distributor records close"),
            ("usageflow.v1.DistributorService", "CloseRecords", "distributor records close-many"),
            ("usageflow.v1.DistributorService", "CloseUsageFile", "distributor usage-files close"),
            ("usageflow.v1.ResellerService", "CreateReseller", "reseller resellers create"),
            ("usageflow.v1.ResellerService", "ListCustomers", "reseller customers list"),
        ])
    func names(_ service: String, _ method: String, _ expected: String) {
        #expect(CommandPath(service: service, method: method)?.description == expected)
    }

    @Test(
        "names outside the convention get no command",
        arguments: [
            ("usageflow.v1.VendorService", "Publish"),  // a verb without a resource
            ("grpc.health.v1.Health", "Check"),  // not a `…Service`
            ("usageflow.v1.Service", "CreateItem"),  // no role before `Service`
        ])
    func outsideConvention(_ service: String, _ method: String) {
        #expect(CommandPath(service: service, method: method) == nil)
    }

    @Test(
        "plurals",
        arguments: [
            (["Item"], "items"), (["Items"], "items"), (["Service", "Identity"], "service-identities"),
            (["Key"], "keys"), (["Box"], "boxes"), (["Batch"], "batches"), (["Day"], "days"),
        ])
    func plurals(_ words: [String], _ expected: String) {
        #expect(CommandPath.kebab(CommandPath.pluralised(words)) == expected)
    }

    @Test("camel-case words keep digits with the word before them")
    func words() {
        #expect(CommandPath.words("CreateServiceIdentity") == ["Create", "Service", "Identity"])
        #expect(CommandPath.words("ListTier2Resellers") == ["List", "Tier2", "Resellers"])
        #expect(CommandPath.role(forService: "usageflow.v1.DistributorService") == "distributor")
        #expect(CommandPath.role(forService: "usageflow.v1.ServerReflection") == nil)
    }
}
